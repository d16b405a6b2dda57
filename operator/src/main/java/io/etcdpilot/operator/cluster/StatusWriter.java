package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterStatus;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes an EtcdCluster's status whole, at most once per pass, locked on the resourceVersion the pass decided from:
 * a conflict means the inputs were stale, and nothing is written. The written object goes into JOSDK's cache, so the
 * next pass decides on this status even while the informer still lags (a JSON patch computed against that lagging
 * copy is what a real API server refused with 422).
 */
final class StatusWriter {
  private static final Logger log = LoggerFactory.getLogger(StatusWriter.class);

  enum Outcome { UNCHANGED, WRITTEN, STALE }

  Outcome write(EtcdCluster cluster, EtcdClusterStatus status, Context<EtcdCluster> context) {
    if (status.equals(cluster.getStatus())) return Outcome.UNCHANGED;
    EtcdCluster previous = context.getPrimaryCache().get(ResourceID.fromResource(cluster)).orElse(cluster);
    // JOSDK hands each pass its own copy of the primary: setting the status here touches no cache.
    cluster.setStatus(status);
    try {
      EtcdCluster written = context.getClient().resource(cluster).updateStatus();
      context.eventSourceRetriever().getControllerEventSource()
          .handleRecentResourceUpdate(ResourceID.fromResource(cluster), written, previous);
      return Outcome.WRITTEN;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) throw e;
      log.debug("status of {}/{} not written: decided on resourceVersion {}, which is no longer current",
          cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(), cluster.getMetadata().getResourceVersion());
      return Outcome.STALE;
    }
  }
}
