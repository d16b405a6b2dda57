package io.etcdpilot.sandbox.kubelet;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The kubelet's Events on pods (Pulled, Created, Started, Killing, BackOff, Failed), as `kubectl describe` shows them. */
final class PodEvents {
  private static final Logger log = LoggerFactory.getLogger(PodEvents.class);
  private final KubernetesClient client;

  PodEvents(KubernetesClient client) {
    this.client = client;
  }

  void record(HasMetadata pod, String type, String reason, String message, String container) {
    record(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), pod.getMetadata().getUid(),
        nodeOf(pod), type, reason, message, container);
  }

  private static String nodeOf(HasMetadata pod) {
    return pod instanceof io.fabric8.kubernetes.api.model.Pod p ? p.getSpec().getNodeName() : null;
  }

  void record(String namespace, String pod, String uid, String node, String type, String reason, String message,
      String container) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    try {
      client.v1().events().inNamespace(namespace).resource(new EventBuilder()
          .withNewMetadata().withName(pod + "." + Long.toHexString(System.nanoTime())).withNamespace(namespace).endMetadata()
          .withNewInvolvedObject().withApiVersion("v1").withKind("Pod").withNamespace(namespace).withName(pod).withUid(uid)
            .withFieldPath(container == null ? null : "spec.containers{" + container + "}").endInvolvedObject()
          .withType(type).withReason(reason).withMessage(message)
          .withNewSource().withComponent("kubelet").withHost(node).endSource()
          .withReportingComponent("kubelet").withReportingInstance(node)
          .withFirstTimestamp(now).withLastTimestamp(now).withCount(1).build()).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404 && e.getCode() != 403) log.debug("event {} for {}/{} not recorded: {}", reason, namespace, pod, e.getMessage());
    }
  }
}
