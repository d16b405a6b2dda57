package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.drill.DrillJob;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.model.PodFacts;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The first stage's output: the cluster and what Kubernetes holds for it at the start of a pass, read once from the
 * informer caches (no API read). Later stages decide from this snapshot; nothing re-reads it mid-pass.
 *
 * @param pods the member pods (controlled by the StatefulSet, named {@code <set>-<ordinal>}), by name
 * @param foreignPods pods that carry the cluster's label but are no member pods (nor the drill's): ignored, and reported
 * @param drillJob the restore drill's Job, while one exists (null otherwise)
 * @param drillPod that Job's pod (null: none yet)
 * @param snapshots the cluster's EtcdSnapshots (on-demand and scheduled)
 * @param snapshotNamed any EtcdSnapshot of the namespace by name (a cluster may be created from another's)
 * @param clusterNamed any EtcdCluster of the namespace by name
 */
record ClusterState(EtcdCluster cluster, ClusterNames names, StatefulSet statefulSet, List<Pod> pods,
    List<Pod> foreignPods, List<PersistentVolumeClaim> claims, ConfigMap stateConfigMap, PodDisruptionBudget disruptionBudget,
    Service peerService, Service clientService, Secret operatorTls, List<EtcdSnapshot> snapshots,
    Function<String, Optional<EtcdSnapshot>> snapshotNamed, Function<String, Optional<EtcdCluster>> clusterNamed,
    Job drillJob, Pod drillPod) {

  static ClusterState read(KubeCache cache, EtcdCluster cluster, ClusterNames names,
      Function<String, Optional<EtcdCluster>> clusterNamed) {
    Comparator<HasMetadata> byName = Comparator.comparing(o -> o.getMetadata().getName());
    List<Pod> labelled = cache.labelled(Pod.class, names.cluster());
    Map<Boolean, List<Pod>> pods = labelled.stream().filter(p -> !DrillJob.isDrillPod(p)).sorted(byName)
        .collect(Collectors.partitioningBy(p -> PodFacts.memberOf(p, names.statefulSet(), names.selectorLabels())));
    Job drillJob = cache.get(Job.class, DrillJob.name(names)).orElse(null);
    // The Job's own pod (one from a Job deleted before may still be going).
    Pod drillPod = drillJob == null ? null : labelled.stream().filter(DrillJob::isDrillPod)
        .filter(p -> p.getMetadata().getOwnerReferences() != null && p.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> o.getUid().equals(drillJob.getMetadata().getUid()))).findFirst().orElse(null);
    return new ClusterState(cluster, names,
        cache.get(StatefulSet.class, names.statefulSet()).orElse(null),
        pods.get(true), pods.get(false),
        cache.labelled(PersistentVolumeClaim.class, names.cluster()).stream().sorted(byName).toList(),
        cache.get(ConfigMap.class, names.stateConfigMap()).orElse(null),
        cache.get(PodDisruptionBudget.class, names.podDisruptionBudget()).orElse(null),
        cache.get(Service.class, names.peerService()).orElse(null),
        cache.get(Service.class, names.clientService()).orElse(null),
        cache.get(Secret.class, names.operatorTlsSecret()).orElse(null),
        cache.snapshots(names.cluster()),
        name -> cache.get(EtcdSnapshot.class, name),
        clusterNamed, drillJob, drillPod);
  }

  Map<String, String> stateData() {
    return stateConfigMap == null || stateConfigMap.getData() == null ? Map.of() : stateConfigMap.getData();
  }

  /** The ConfigMap says "existing": the members have formed a cluster. */
  boolean bootstrapped() {
    return ClusterObjects.STATE_EXISTING.equals(stateData().get(ClusterObjects.STATE_KEY));
  }

  boolean paused() {
    return Boolean.TRUE.equals(cluster.getSpec() == null ? null : cluster.getSpec().getPaused());
  }
}
