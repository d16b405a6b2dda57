package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.MemberFailure;
import io.etcdpilot.operator.api.v1alpha1.Operation;
import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.ObservedMember;
import io.etcdpilot.operator.membership.MembershipInputs;
import io.etcdpilot.operator.membership.MembershipPlanner;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.LearnerClock;
import io.etcdpilot.operator.model.PodFacts;
import io.etcdpilot.operator.plan.OperationType;
import io.etcdpilot.operator.plan.Step;
import io.etcdpilot.operator.rollout.RolloutPlanner;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Picks this pass's one step: asks the planners in a fixed order (membership, then etcd's own step of a version
 * change, then rolling restarts) and the first that has something to do or to wait for wins. Pure: planner inputs are
 * translated from the pass's snapshot, nothing is read or written here.
 */
final class StepArbiter {
  /** The step and the operation it belongs to. */
  record Decision(Step step, OperationType type) {}

  /** What the planners decide from. */
  /** @param learnerAdded the learner's clock from the cluster-state ConfigMap ({@code LearnerClock}); null when none */
  record Inputs(EtcdCluster cluster, ClusterNames names, int desired, StatefulSet statefulSet, List<Pod> pods,
      List<PersistentVolumeClaim> claims, ClusterObservation observation, String learnerAdded, Roll roll) {}

  /**
   * What the version gate asks of this pass: a step etcd must take first (null when none), what a restart is part of,
   * and the members the roll holds (not to be replaced as failed while down).
   */
  record Roll(Step prerequisite, OperationType type, Set<String> held) {
    static Roll none() {
      return new Roll(null, OperationType.RollingRestart, Set.of());
    }
  }

  private final MembershipPlanner membership;
  private final RolloutPlanner rollout = new RolloutPlanner();

  StepArbiter(MembershipPlanner membership) {
    this.membership = membership;
  }

  /** The step to take, or null when membership and every member's template are as wanted. */
  Decision pick(Inputs in, Instant now) {
    if (!in.observation().listAgreed()) {
      // etcd 3.4: lists are each member's own view; deciding from one that lags could remove or wipe the wrong member.
      return new Decision(new Step.Wait("the members' own member lists disagree (etcd before 3.5 has no linearizable"
          + " list): no step until a majority of them agree"), in.roll().type());
    }
    Step m = membership.next(membershipInputs(in, now), now);
    if (m.kind() != Step.Kind.NOTHING && !(m instanceof Step.Wait w && w.othersMayAct())) {
      return new Decision(m, membershipType(m, in));
    }
    Decision others = versionAndRollout(in, now);
    // A membership wait that lets others act still is what the cluster waits on when they have nothing to do.
    boolean othersAct = others != null && others.step().kind() != Step.Kind.WAIT;
    if (m.kind() == Step.Kind.WAIT && !othersAct) return new Decision(m, membershipType(m, in));
    return others;
  }

  /** A version change's own step from etcd, then rolling restarts. */
  private Decision versionAndRollout(Inputs in, Instant now) {
    Step first = in.roll().prerequisite();
    if (first != null) {
      boolean downgrade = first.kind() == Step.Kind.ENABLE_DOWNGRADE || first.kind() == Step.Kind.CANCEL_DOWNGRADE;
      return new Decision(first, downgrade ? OperationType.Downgrade : in.roll().type());
    }
    Step r = rolloutStep(in.statefulSet(), in.pods(), in.observation(), now);
    if (r.kind() != Step.Kind.NOTHING) return new Decision(r, in.roll().type());
    return null;
  }

  private static MembershipPlanner.Observed membershipInputs(Inputs in, Instant now) {
    EtcdCluster cluster = in.cluster();
    // The learner's deadline counts from when it was added, as recorded before etcd was asked to add it.
    Instant learnerSince = in.observation().members().stream().filter(ObservedMember::learner).findFirst()
        .flatMap(l -> LearnerClock.addedAt(in.learnerAdded(), in.names().member(MembershipInputs.ordinalOf(in.names(), l))))
        .orElse(now);
    MemberFailure failure = cluster.getStatus() == null ? null : cluster.getStatus().getMemberFailure();
    boolean failedUnderThisSpec = failure != null && Objects.equals(failure.getGeneration(), cluster.getMetadata().getGeneration());
    return MembershipInputs.observed(in.names(), in.desired(), in.statefulSet().getSpec().getReplicas(),
        in.observation(), in.pods(), in.claims(), learnerSince,
        failedUnderThisSpec ? failure.getMember() + " failed to join" : null, in.roll().held());
  }

  static OperationType membershipType(Step step, Inputs in) {
    return switch (step.kind()) {
      case ADD_LEARNER, WIPE_VOLUME, GROW_STATEFULSET, PROMOTE -> OperationType.AddMember;
      case MOVE_LEADER, SHRINK_STATEFULSET -> OperationType.RemoveMember;
      case REMOVE_MEMBER -> ((Step.RemoveMember) step).cause() == Step.Cause.REPLACE
          ? OperationType.ReplaceMember : OperationType.RemoveMember;
      case WAIT, NOTHING, MOVE_LEADER_FOR_RESTART, RESTART_MEMBER, ENABLE_DOWNGRADE, CANCEL_DOWNGRADE -> {
        long voters = in.observation().members().stream().filter(x -> !x.learner()).count();
        yield in.desired() > voters ? OperationType.AddMember
            : in.desired() < voters ? OperationType.RemoveMember : OperationType.ReplaceMember;
      }
    };
  }

  /** Outdated members restarted one at a time (OnDelete) behind the planner's gates. */
  private Step rolloutStep(StatefulSet sts, List<Pod> pods, ClusterObservation observation, Instant now) {
    if (sts.getStatus() == null || sts.getStatus().getUpdateRevision() == null
        || sts.getStatus().getObservedGeneration() == null
        || sts.getStatus().getObservedGeneration() < sts.getMetadata().getGeneration()) {
      return new Step.Nothing(); // the StatefulSet controller has not caught up with the template yet
    }
    String updateRevision = sts.getStatus().getUpdateRevision();
    List<RolloutPlanner.PodView> views = pods.stream().map(p -> new RolloutPlanner.PodView(p.getMetadata().getName(),
        PodFacts.ordinal(p), !updateRevision.equals(PodFacts.revision(p)), PodFacts.ready(p), PodFacts.readySince(p)))
        .toList();
    if (views.stream().noneMatch(RolloutPlanner.PodView::outdated)) return new Step.Nothing();
    if (pods.stream().anyMatch(p -> p.getMetadata().getDeletionTimestamp() != null)) {
      return new Step.Wait("a member pod is terminating");
    }
    List<RolloutPlanner.MemberView> members = observation.members().stream().map(m -> new RolloutPlanner.MemberView(
        m.name(), m.id(), m.reachable(), m.learner(), m.raftIndex())).toList();
    String leader = observation.leader().map(ObservedMember::name).orElse("");
    String set = sts.getMetadata().getName();
    List<String> expected = IntStream.range(0, sts.getSpec().getReplicas()).mapToObj(i -> set + "-" + i).toList();
    return rollout.next(views, expected, members, leader, now);
  }
}
