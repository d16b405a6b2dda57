package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.membership.MembershipInputs;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.etcd.ObservedMember;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.model.LearnerClock;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Map;

/**
 * Keeps the objects that record membership true to etcd's member list: the join list and the learner's clock in the
 * cluster-state ConfigMap and, on each member's claim, whose data the volume holds. Both are rendered from the observation; the planner
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
      KubeCache cache, Instant now) {
    ClusterNames names = objects.names();
    Map<String, String> data = stateConfigMap == null || stateConfigMap.getData() == null ? Map.of()
        : stateConfigMap.getData();
    String list = MembershipInputs.joinList(names, observation, List.of());
    String learner = learnerRecord(names, observation, data.get(LearnerClock.KEY), now);
    boolean same = list.equals(data.get(ClusterObjects.INITIAL_CLUSTER_KEY))
        && Objects.equals(learner, data.get(LearnerClock.KEY));
    ConfigMap written = same ? stateConfigMap
        : applier.apply(objects.stateConfigMap(ClusterObjects.STATE_EXISTING, list, learner), stateConfigMap, cache)
            .object();

    Map<String, String> relabel = MembershipInputs.ownerLabels(names, observation, state.claims());
    for (PersistentVolumeClaim c : state.claims()) {
      String owner = relabel.get(c.getMetadata().getName());
      if (owner == null) continue;
      cache.label(client, c, MembershipInputs.VOLUME_OWNER_LABEL, owner);
    }
    return written;
  }

  /**
   * The learner's clock: kept while the learner it names is there, dropped when there is none, and started now for a
   * learner that has none (added by an operator that did not keep it), so that its deadline always runs.
   */
  static String learnerRecord(ClusterNames names, ClusterObservation observation, String recorded, Instant now) {
    return observation.members().stream().filter(ObservedMember::learner).findFirst()
        .map(l -> names.member(MembershipInputs.ordinalOf(names, l)))
        .map(name -> LearnerClock.addedAt(recorded, name).isPresent() ? recorded : LearnerClock.record(name, now))
        .orElse(null);
  }
}
