package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.ClusterObjects;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What Kubernetes holds for one cluster at the start of a pass, read once from the informer caches (no API read).
 * Later stages decide from this snapshot; nothing re-reads it mid-pass.
 */
record ClusterState(StatefulSet statefulSet, List<Pod> pods, List<PersistentVolumeClaim> claims, ConfigMap stateConfigMap,
    PodDisruptionBudget disruptionBudget, Service peerService, Service clientService) {

  static ClusterState read(KubeCache cache, ClusterNames names) {
    Comparator<io.fabric8.kubernetes.api.model.HasMetadata> byName = Comparator.comparing(o -> o.getMetadata().getName());
    return new ClusterState(
        cache.get(StatefulSet.class, names.statefulSet()).orElse(null),
        cache.labelled(Pod.class, names.cluster()).stream().sorted(byName).toList(),
        cache.labelled(PersistentVolumeClaim.class, names.cluster()).stream().sorted(byName).toList(),
        cache.get(ConfigMap.class, names.stateConfigMap()).orElse(null),
        cache.get(PodDisruptionBudget.class, names.podDisruptionBudget()).orElse(null),
        cache.get(Service.class, names.peerService()).orElse(null),
        cache.get(Service.class, names.clientService()).orElse(null));
  }

  Map<String, String> stateData() {
    return stateConfigMap == null || stateConfigMap.getData() == null ? Map.of() : stateConfigMap.getData();
  }

  /** The ConfigMap says "existing": the members have formed a cluster. */
  boolean bootstrapped() {
    return ClusterObjects.STATE_EXISTING.equals(stateData().get(ClusterObjects.STATE_KEY));
  }
}
