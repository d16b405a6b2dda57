package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.membership.MembershipInputs;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.ClusterObjects;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;

/**
 * Keeps the objects that record membership true to etcd's member list: the join list in the cluster-state ConfigMap
 * and, on each member's claim, whose data the volume holds. Both are rendered from the observation; the planner
 * decides from the same derivation ({@link MembershipInputs}), never from what these writes read back.
 */
final class MembershipBookkeeping {
  private final KubernetesClient client;
  private final ObjectApplier applier;

  MembershipBookkeeping(KubernetesClient client, ObjectApplier applier) {
    this.client = client;
    this.applier = applier;
  }

  /** Writes what changed; returns the cluster-state ConfigMap as the API server now holds it. */
  ConfigMap apply(ClusterObjects objects, ClusterObservation observation, ClusterState state, ConfigMap stateConfigMap,
      KubeCache cache) {
    ClusterNames names = objects.names();
    String list = MembershipInputs.joinList(names, observation, List.of());
    String published = stateConfigMap == null || stateConfigMap.getData() == null ? null
        : stateConfigMap.getData().get(ClusterObjects.INITIAL_CLUSTER_KEY);
    ConfigMap written = list.equals(published) ? stateConfigMap
        : applier.apply(objects.stateConfigMap(ClusterObjects.STATE_EXISTING, list), stateConfigMap, cache).object();

    Map<String, String> relabel = MembershipInputs.ownerLabels(names, observation, state.claims());
    for (PersistentVolumeClaim c : state.claims()) {
      String owner = relabel.get(c.getMetadata().getName());
      if (owner == null) continue;
      cache.label(client, c, MembershipInputs.VOLUME_OWNER_LABEL, owner);
    }
    return written;
  }
}
