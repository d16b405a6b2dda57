package io.etcdpilot.e2e;

import io.etcdpilot.operator.model.ClusterNames;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.concurrent.atomic.AtomicInteger;

/** Watches a cluster's member pods and remembers the fewest that were ready (and not being deleted) at any moment. */
final class ReadyMembers implements AutoCloseable {
  private final SharedIndexInformer<Pod> informer;
  private final AtomicInteger fewest = new AtomicInteger(Integer.MAX_VALUE);
  /** Counting starts once the initial list is in: a half-filled cache would look like members down. */
  private volatile boolean synced;

  ReadyMembers(KubernetesClient client, String ns, String cluster) {
    informer = client.pods().inNamespace(ns).withLabel(ClusterNames.LABEL_CLUSTER, cluster).inform(new ResourceEventHandler<>() {
      @Override public void onAdd(Pod p) { count(); }
      @Override public void onUpdate(Pod old, Pod p) { count(); }
      @Override public void onDelete(Pod p, boolean unknown) { count(); }
    }, 0);
    synced = true;
    count();
  }

  private void count() {
    if (!synced) return;
    int ready = (int) informer.getStore().list().stream().filter(ReadyMembers::ready).count();
    fewest.accumulateAndGet(ready, Math::min);
  }

  static boolean ready(Pod p) {
    return p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null && p.getStatus().getConditions() != null
        && p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /**
   * Waits until {@code members} pods are ready, then counts from there: a cluster is Ready once etcd answers, a
   * moment before the kubelet's readiness probes mark its pods Ready.
   */
  ReadyMembers countFromAllReady(int members, java.time.Duration within) {
    org.awaitility.Awaitility.await().atMost(within).pollInterval(java.time.Duration.ofMillis(200))
        .until(() -> informer.getStore().list().stream().filter(ReadyMembers::ready).count() == members);
    fewest.set(Integer.MAX_VALUE);
    count();
    return this;
  }

  int fewestSeen() {
    return fewest.get();
  }

  @Override
  public void close() {
    informer.close();
  }
}
