package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.MemberFailure;
import io.etcdpilot.operator.api.v1alpha1.Operation;
import io.etcdpilot.operator.api.v1alpha1.AutoGrowSpec;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.api.v1alpha1.MaintenanceStatus;
import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.Corruption;
import io.etcdpilot.operator.etcd.EtcdAlarm;
import io.etcdpilot.operator.maintenance.DefragRule;
import io.etcdpilot.operator.maintenance.MaintenancePlanner;
import io.etcdpilot.operator.maintenance.MaintenanceRecords;
import io.etcdpilot.operator.etcd.ObservedMember;
import io.etcdpilot.operator.membership.MembershipInputs;
import io.etcdpilot.operator.membership.MembershipPlanner;
import io.etcdpilot.operator.model.BackendQuota;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.SlowDisks;
import io.etcdpilot.operator.model.LearnerClock;
import io.etcdpilot.operator.model.PodFacts;
import io.etcdpilot.operator.plan.OperationType;
import io.etcdpilot.operator.plan.Step;
import io.etcdpilot.operator.rollout.RolloutPlanner;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Picks this pass's one step: asks the planners in a fixed order (membership, NOSPACE recovery, then etcd's own step
 * of a version change, rolling restarts, and last defragmentation) and the first that has something to do or to wait
 * for wins. Pure: planner inputs are
 * translated from the pass's snapshot, nothing is read or written here.
 */
final class StepArbiter {
  /**
   * The step and the operation it belongs to; {@code finding}: what maintenance could not do by itself and the user
   * should know (null when nothing).
   */
  record Decision(Step step, OperationType type, String finding) {
    Decision(Step step, OperationType type) {
      this(step, type, null);
    }
  }

  /**
   * What the planners decide from.
   *
   * @param learnerAdded the learner's clock from the cluster-state ConfigMap ({@code LearnerClock}); null when none
   * @param maintenance status.maintenance as this pass carries it (NOSPACE tracked)
   * @param quotaBytes the backend quota the members are rendered with
   * @param volumeSize the volume size the members are rendered with
   * @param volumesGrowing claims are being grown (to the spec's size, or automatically)
   */
  record Inputs(EtcdCluster cluster, ClusterNames names, int desired, StatefulSet statefulSet, List<Pod> pods,
      List<PersistentVolumeClaim> claims, ClusterObservation observation, String learnerAdded, Roll roll,
      MaintenanceStatus maintenance, long quotaBytes, List<EtcdSnapshot> snapshots, String volumeSize,
      boolean volumesGrowing) {}

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
  private final MaintenancePlanner maintenance = new MaintenancePlanner();

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
    Corruption corruption = in.observation().corruption();
    if (in.observation().alarmed(EtcdAlarm.Type.CORRUPT) && corruption.decided() && corruption.corrupt().isEmpty()) {
      // The cluster takes no request while CORRUPT is raised: disarmed as soon as no member's data differ.
      return new Decision(new Step.DisarmCorrupt(corruption.detail()), OperationType.ReplaceMember);
    }
    Step m = membership.next(membershipInputs(in, now), now);
    if (m.kind() != Step.Kind.NOTHING && !(m instanceof Step.Wait w && w.othersMayAct())) {
      return new Decision(m, membershipType(m, in));
    }
    Optional<Step> offSlowDisk = leaderOffSlowDisk(in.observation());
    if (offSlowDisk.isPresent()) return new Decision(offSlowDisk.get(), OperationType.MoveLeadership);
    MaintenancePlanner.Plan upkeep = maintenance.next(maintenanceInputs(in, now));
    boolean noSpace = in.observation().alarmed(EtcdAlarm.Type.NOSPACE);
    if (noSpace && upkeep.step().kind() != Step.Kind.NOTHING && !(upkeep.step() instanceof Step.Wait w2
        && w2.othersMayAct())) {
      // A cluster that takes no writes comes before a roll: restarts can wait, an outage cannot.
      return new Decision(upkeep.step(), OperationType.NoSpaceRecovery, upkeep.finding());
    }
    Decision others = versionAndRollout(in, now);
    // A membership wait that lets others act still is what the cluster waits on when they have nothing to do.
    boolean othersAct = others != null && others.step().kind() != Step.Kind.WAIT;
    if (m.kind() == Step.Kind.WAIT && !othersAct) return new Decision(m, membershipType(m, in));
    if (others != null) return others;
    // Maintenance last: only when nothing else is under way or waited on.
    return new Decision(upkeep.step(), OperationType.Defragment, upkeep.finding());
  }

  /**
   * A leader whose disk is too slow holds up every write: leadership goes to the healthy voter with a fast disk that is
   * furthest ahead; when every disk is slow, nowhere.
   */
  static Optional<Step> leaderOffSlowDisk(ClusterObservation o) {
    Set<Long> slow = SlowDisks.of(o.walFsyncP99());
    Optional<ObservedMember> leader = o.leader();
    if (leader.isEmpty() || !slow.contains(leader.get().id())) return Optional.empty();
    return o.members().stream().filter(m -> !m.learner() && o.inQuorum(m) && !slow.contains(m.id()))
        .max(Comparator.comparingLong(ObservedMember::raftIndex))
        .map(to -> new Step.MoveLeaderOffSlowDisk(leader.get().name(), to.name(), to.id(), "its WAL fsync p99 is "
            + SlowDisks.describe(o.walFsyncP99().get(leader.get().id()))));
  }

  /** The maintenance planner's view: sizes from etcd, history and NOSPACE from status, a snapshot streaming. */
  private static MaintenancePlanner.Inputs maintenanceInputs(Inputs in, Instant now) {
    List<MaintenancePlanner.Member> members = in.observation().members().stream().map(m -> new MaintenancePlanner.Member(
        m.name(), m.id(), m.learner(), in.observation().inQuorum(m), m.dbSizeBytes(), m.dbSizeInUse(), m.raftIndex(),
        runningQuota(in.pods(), m.name()))).toList();
    String leader = in.observation().leader().map(ObservedMember::name).orElse(null);
    String streaming = in.snapshots().stream().filter(s -> s.getStatus() != null
        && "Running".equals(s.getStatus().getPhase())).map(s -> s.getStatus().getMember()).filter(Objects::nonNull)
        .findFirst().orElse(null);
    MaintenancePlanner.Policy policy;
    try {
      policy = MaintenanceRecords.policy(in.cluster().getSpec());
    } catch (DefragRule.Invalid e) {
      throw new IllegalStateException("spec.maintenance.defrag.rule passed validation but does not compile", e);
    }
    return new MaintenancePlanner.Inputs(members, leader, in.quotaBytes(),
        MaintenanceRecords.noSpace(in.maintenance(), in.observation().alarmed(EtcdAlarm.Type.NOSPACE)), policy,
        MaintenanceRecords.history(in.maintenance()), streaming,
        in.observation().members().stream().mapToLong(ObservedMember::revision).max().orElse(0), growth(in), now);
  }

  /** The quota a member's pod runs with (etcd's 2 GiB when its flags name none); 0 when it has no pod. */
  static long runningQuota(List<Pod> pods, String member) {
    return pods.stream().filter(p -> p.getMetadata().getName().equals(member) && p.getSpec() != null
            && !p.getSpec().getContainers().isEmpty()).findFirst()
        .map(p -> p.getSpec().getContainers().get(0).getArgs().stream()
            .filter(a -> a.startsWith("--quota-backend-bytes=")).findFirst()
            .map(a -> Long.parseLong(a.substring("--quota-backend-bytes=".length())))
            .orElse(BackendQuota.ETCD_DEFAULT))
        .orElse(0L);
  }

  private static MaintenancePlanner.Growth growth(Inputs in) {
    var storage = in.cluster().getSpec() == null ? null : in.cluster().getSpec().getStorage();
    AutoGrowSpec g = storage == null ? null : storage.getAutoGrow();
    if (g == null) return null;
    return new MaintenancePlanner.Growth(g.getWhenLiveDataAbove() == null ? 70 : g.getWhenLiveDataAbove(),
        in.volumeSize(), g.getStep(), g.getMaxSize(), in.volumesGrowing());
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
      case WAIT, NOTHING, MOVE_LEADER_FOR_RESTART, RESTART_MEMBER, ENABLE_DOWNGRADE, CANCEL_DOWNGRADE, COMPACT,
          MOVE_LEADER_FOR_DEFRAG, DEFRAGMENT, DISARM_NOSPACE, DISARM_CORRUPT, GROW_VOLUMES,
          MOVE_LEADER_OFF_SLOW_DISK -> {
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
        m.name(), m.id(), observation.inQuorum(m), m.learner(), m.raftIndex())).toList();
    String leader = observation.leader().map(ObservedMember::name).orElse("");
    String set = sts.getMetadata().getName();
    List<String> expected = IntStream.range(0, sts.getSpec().getReplicas()).mapToObj(i -> set + "-" + i).toList();
    return rollout.next(views, expected, members, leader, now);
  }
}
