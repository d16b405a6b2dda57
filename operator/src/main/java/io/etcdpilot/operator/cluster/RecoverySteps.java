package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.api.v1alpha1.FromSnapshot;
import io.etcdpilot.operator.api.v1alpha1.Operation;
import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.ObservedMember;
import io.etcdpilot.operator.kube.PassEvents;
import io.etcdpilot.operator.membership.MembershipInputs;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.model.RestoreSource;
import io.etcdpilot.operator.plan.OperationType;
import io.etcdpilot.operator.recovery.QuorumRecovery;
import io.etcdpilot.operator.restore.RestorePlan;
import io.etcdpilot.operator.snapshot.SnapshotScheduling;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Carries out a quorum recovery ({@link QuorumRecovery}): the survivor's data into an EtcdSnapshot, then every member
 * re-created from a snapshot the way a cluster created from one is (the cluster-state ConfigMap says "new" with the
 * snapshot as its restore source, and the members' pods and volumes go: the StatefulSet makes them anew, and each
 * founding member restores the snapshot before etcd starts).
 */
final class RecoverySteps {
  private final KubernetesClient client;
  private final ObjectApplier applier;
  private final SnapshotScheduling snapshots;
  private final String agentImage;

  RecoverySteps(KubernetesClient client, ObjectApplier applier, SnapshotScheduling snapshots, String agentImage) {
    this.client = client;
    this.applier = applier;
    this.snapshots = snapshots;
    this.agentImage = agentImage;
  }

  /** What the request's planner sees of this pass. */
  static QuorumRecovery.Inputs inputs(ClusterState state, ClusterObjects objects, Observation seen) {
    EtcdCluster cluster = state.cluster();
    String annotation = cluster.getMetadata().getAnnotations() == null ? null
        : cluster.getMetadata().getAnnotations().get(QuorumRecovery.ANNOTATION);
    boolean quorum = seen.etcd().reachable() && seen.etcd().leader().isPresent();
    List<String> lost = state.pods().stream().filter(quorum ? MembershipInputs::dataLost
            : MembershipInputs::dataLostWithoutQuorum).map(p -> p.getMetadata().getName())
        .sorted().toList();
    ClusterObservation own = seen.withoutQuorum().orElse(ClusterObservation.unreachable("not asked"));
    List<ObservedMember> voters = own.members().stream().filter(m -> !m.learner()).toList();
    int voterCount = cluster.getStatus() != null && cluster.getStatus().getMembers() != null
        && !cluster.getStatus().getMembers().isEmpty()
        ? (int) cluster.getStatus().getMembers().stream().filter(m -> m.getRole() != io.etcdpilot.operator.api
            .v1alpha1.MemberStatus.Role.learner).count()
        : objects.replicas();
    List<QuorumRecovery.Survivor> survivors = voters.stream().filter(ObservedMember::reachable)
        .filter(m -> !lost.contains(m.name()))
        .map(m -> new QuorumRecovery.Survivor(m.name(), m.raftIndex(), m.revision())).toList();
    Set<String> answering = survivors.stream().map(QuorumRecovery.Survivor::name).collect(Collectors.toSet());
    // Without a member list (no member answered), the pods say who the members are.
    List<String> names = voters.isEmpty() ? state.pods().stream().map(p -> p.getMetadata().getName()).toList()
        : voters.stream().map(ObservedMember::name).filter(n -> n != null && !n.isEmpty()).toList();
    List<String> silent = names.stream().filter(n -> !answering.contains(n) && !lost.contains(n)).sorted().toList();
    String restoredFrom = restoredFrom(state);
    boolean creating = ClusterObjects.STATE_NEW.equals(state.stateData().get(ClusterObjects.STATE_KEY));
    boolean destination = cluster.getSpec().getSnapshots() != null && cluster.getSpec().getSnapshots().getDestination() != null;
    return new QuorumRecovery.Inputs(annotation, cluster.getMetadata().getUid(), cluster.getMetadata().getName(), quorum,
        voterCount, lost, silent, survivors, state.snapshots(), restoredFrom, creating, destination,
        cluster.getStatus() == null || cluster.getStatus().getBackup() == null ? null
            : cluster.getStatus().getBackup().getLastPassedSnapshot());
  }

  /** The EtcdSnapshot the members were last created from, by the data object the cluster-state ConfigMap names. */
  private static String restoredFrom(ClusterState state) {
    Optional<RestoreSource> source = RestoreSource.fromJson(state.stateData().get(ClusterObjects.RESTORE_SOURCE_KEY));
    String object = source.map(s -> s.expected() == null ? null : s.expected().object()).orElse(null);
    if (object == null) return null;
    return state.snapshots().stream().filter(s -> s.getStatus() != null && s.getStatus().getLocation() != null
        && s.getStatus().getLocation().endsWith("/" + object)).map(s -> s.getMetadata().getName()).findFirst().orElse(null);
  }

  /** Acts on the plan; returns the operation to report (null: nothing to say there). */
  Operation act(QuorumRecovery.Plan plan, ClusterState state, ClusterObjects objects, KubeCache cache, PassEvents events,
      Instant now) {
    EtcdCluster cluster = state.cluster();
    if (plan instanceof QuorumRecovery.Refused r) return operation(cluster, "refused", r.why(), now);
    if (plan instanceof QuorumRecovery.Wait w) return operation(cluster, "waiting", w.why(), now);
    if (plan instanceof QuorumRecovery.Done d) return operation(cluster, "done", d.message(), now);
    if (plan instanceof QuorumRecovery.TakeSnapshot t) {
      snapshots.forRecovery(cluster, t.name(), t.from().name(), events, "the data of " + t.from().name()
          + ", the survivor furthest ahead (raft index " + t.from().raftIndex() + ", revision " + t.from().revision()
          + "), goes into EtcdSnapshot " + t.name() + "; every member is then re-created from it");
      return operation(cluster, t.from().name(), "taking its data into EtcdSnapshot " + t.name(), now);
    }
    if (plan instanceof QuorumRecovery.Recreate r) {
      recreate(r, state, objects, cache, events);
      return operation(cluster, "members", "re-creating every member from EtcdSnapshot " + r.snapshot(), now);
    }
    return null; // Nothing: its advice, if any, is in the status
  }

  private void recreate(QuorumRecovery.Recreate r, ClusterState state, ClusterObjects objects, KubeCache cache,
      PassEvents events) {
    EtcdCluster cluster = state.cluster();
    RestoreSource source = RestorePlan.ofSnapshot(cluster, r.snapshot(), state.snapshotNamed(), state.clusterNamed());
    FromSnapshot asked = cluster.getSpec().getBootstrap() == null ? null : cluster.getSpec().getBootstrap().getFromSnapshot();
    ClusterObjects restoring = objects.restoring(source, asked == null ? null : RestorePlan.json(asked),
        agentImage);
    applier.apply(restoring.stateConfigMap(ClusterObjects.STATE_NEW, state.names().initialCluster(objects.replicas(),
        objects.tls()), null), state.stateConfigMap(), cache);
    events.warning("QuorumRecovery", "re-creating every member from EtcdSnapshot " + r.snapshot() + " ("
        + r.lostSince() + "): writes after revision " + r.revision() + " are lost; the members' volumes are deleted");
    // No member pod may start on the old template (it would found an empty cluster): the StatefulSet goes to zero,
    // and comes back to its size once its pods are gone, with the restore steps in its template (ApplyStage).
    if (state.statefulSet() != null) {
      var none = Serialization.clone(state.statefulSet());
      none.getSpec().setReplicas(0);
      cache.write(client, none, state.statefulSet());
    }
    for (PersistentVolumeClaim c : state.claims()) {
      client.persistentVolumeClaims().inNamespace(c.getMetadata().getNamespace()).resource(c).delete();
    }
  }

  private static Operation operation(EtcdCluster cluster, String target, String message, Instant now) {
    Operation previous = cluster.getStatus() == null ? null : cluster.getStatus().getOperation();
    String started = previous != null && OperationType.RecoverQuorum.name().equals(previous.getType())
        ? previous.getStarted() : now.truncatedTo(ChronoUnit.SECONDS).toString();
    return new Operation(OperationType.RecoverQuorum.name(), target, started, message);
  }
}
