package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.MaintenanceStatus;
import io.etcdpilot.operator.api.v1alpha1.MemberFailure;
import io.etcdpilot.operator.api.v1alpha1.Operation;
import io.etcdpilot.operator.drill.DrillPlan;
import io.etcdpilot.operator.etcd.EtcdAlarm;
import io.etcdpilot.operator.etcd.ObservedMember;
import io.etcdpilot.operator.kube.PassEvents;
import io.etcdpilot.operator.maintenance.MaintenanceRecords;
import io.etcdpilot.operator.model.BackendQuota;
import io.etcdpilot.operator.model.LearnerClock;
import io.etcdpilot.operator.plan.OperationType;
import io.etcdpilot.operator.plan.Step;
import io.etcdpilot.operator.recovery.QuorumRecovery;
import io.etcdpilot.operator.snapshot.SnapshotPlan;
import io.etcdpilot.operator.snapshot.SnapshotScheduling;
import io.etcdpilot.operator.snapshot.UpgradeSnapshot;
import io.etcdpilot.operator.upgrade.UpgradeProgress;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Plan and act: keeps the membership bookkeeping true to etcd, asks the arbiter for this pass's one step and has the
 * executor carry it out; then the snapshot schedule's and the restore drills' due work, which never waits on a step. Acts only on a formed
 * cluster etcd answers for, and never on a paused one.
 */
final class ActStage {
  private final MembershipBookkeeping bookkeeping;
  private final StepArbiter arbiter;
  private final StepExecutor executor;
  private final VersionStage versions;
  private final SnapshotScheduling snapshots;
  private final RecoverySteps recoveries;
  private final DrillSteps drills;

  ActStage(MembershipBookkeeping bookkeeping, StepArbiter arbiter, StepExecutor executor, VersionStage versions,
      SnapshotScheduling snapshots, RecoverySteps recoveries, DrillSteps drills) {
    this.bookkeeping = bookkeeping;
    this.arbiter = arbiter;
    this.executor = executor;
    this.versions = versions;
    this.snapshots = snapshots;
    this.recoveries = recoveries;
    this.drills = drills;
  }

  StepResult planAndAct(Applied applied, Observation seen, KubeCache cache, PassEvents events, Instant now)
      throws Exception {
    ClusterState state = applied.versioned().desired().state();
    EtcdCluster cluster = state.cluster();
    List<UpgradeProgress.MemberRun> roll = VersionStage.members(applied.statefulSet(), state.pods(), seen.etcd());
    MemberFailure failure = cluster.getStatus() == null ? null : cluster.getStatus().getMemberFailure();
    MaintenanceStatus carried = MaintenanceRecords.carried(cluster.getStatus(), applied.versioned().objects().quotaBytes());
    MaintenanceStatus maintenance = seen.etcd().reachable() ? tracked(carried, seen, events, now) : carried;
    if (!(applied instanceof Applied.Written written)) {
      return new StepResult(applied, Optional.empty(), null, failure, roll, Optional.empty(), maintenance, null, null,
          Optional.empty());
    }
    Taken step = seen.bootstrapped() && written.statefulSet() != null && seen.etcd().reachable()
        ? step(written, seen, roll, maintenance, cache, events, now)
        : new Taken(Optional.empty(), null, failure, maintenance, null);
    // A quorum recovery: acted on only without quorum, and only when asked for; otherwise at most advice.
    String advice = null;
    if (seen.bootstrapped()) {
      QuorumRecovery.Plan recovery = QuorumRecovery.decide(RecoverySteps.inputs(state, applied.versioned().objects(),
          seen));
      if (recovery instanceof QuorumRecovery.Nothing n) {
        advice = n.advice();
      } else if (!seen.etcd().reachable() || step.operation() == null) {
        step = new Taken(step.kind(), recoveries.act(recovery, state, applied.versioned().objects(), cache, events,
            now),
            step.failure(), step.maintenance(), step.finding());
      }
    }
    UpgradeSnapshot.Gate before = applied.versioned().upgradeSnapshot();
    if (before.create() && !state.paused()) {
      snapshots.beforeVersionChange(cluster, before.name(), applied.versioned().renderedBefore() + " → "
          + cluster.getSpec().getVersion(), events);
    }
    SnapshotPlan.Plan scheduled = snapshots.apply(cluster, state.snapshots(), events, now);
    DrillPlan.Plan drill = drills.apply(state, applied.versioned().objects(), cache, events, now);
    return new StepResult(applied, step.kind(), step.operation(), step.failure(), roll, Optional.of(scheduled),
        step.maintenance(), step.finding(), advice, Optional.of(drill));
  }

  private record Taken(Optional<Step.Kind> kind, Operation operation, MemberFailure failure,
      MaintenanceStatus maintenance, String finding) {}

  /** The record after this pass's look at etcd's alarms and members; a NOSPACE seen for the first time is told. */
  private static MaintenanceStatus tracked(MaintenanceStatus carried, Observation seen, PassEvents events, Instant now) {
    boolean alarmed = seen.etcd().alarmed(EtcdAlarm.Type.NOSPACE);
    String raisedBy = seen.etcd().alarms().stream().filter(a -> a.type() == EtcdAlarm.Type.NOSPACE)
        .map(a -> seen.etcd().members().stream().filter(m -> m.id() == a.memberId()).findFirst()
            .map(m -> m.name() + " (" + BackendQuota.mib(m.dbSizeBytes()) + ", " + BackendQuota.mib(m.dbSizeInUse())
                + " in use)").orElse(a.memberHex()))
        .distinct().collect(Collectors.joining(", "));
    if (MaintenanceRecords.newlyRaised(carried, alarmed)) {
      events.warning("QuotaExhausted", "NOSPACE raised by " + raisedBy + " at a quota of "
          + BackendQuota.mib(carried.getQuotaBytes()) + ": the cluster refuses writes until it is recovered");
    }
    MaintenanceStatus m = MaintenanceRecords.tracked(carried, alarmed, raisedBy, now);
    // A member that left (scaled in, replaced) starts again with a clean record under its name.
    return MaintenanceRecords.retain(m, seen.etcd().members().stream().map(ObservedMember::name)
        .filter(n -> n != null && !n.isEmpty()).collect(Collectors.toSet()));
  }

  private Taken step(Applied.Written written, Observation seen, List<UpgradeProgress.MemberRun> roll,
      MaintenanceStatus maintenance, KubeCache cache, PassEvents events, Instant now) throws Exception {
    Versioned versioned = written.versioned();
    ClusterState state = versioned.desired().state();
    EtcdCluster cluster = state.cluster();
    ConfigMap stateConfigMap = bookkeeping.apply(versioned.objects(), seen.etcd(), state, written.stateConfigMap(), cache,
        now);
    StepArbiter.Decision decision = arbiter.pick(new StepArbiter.Inputs(cluster, state.names(),
        versioned.objects().replicas(), written.statefulSet(), state.pods(), state.claims(), seen.etcd(),
        stateConfigMap.getData().get(LearnerClock.KEY), versions.roll(cluster, versioned.version(), roll),
        maintenance, versioned.objects().quotaBytes(), state.snapshots(), versioned.objects().volumeSize(),
        versioned.desired().volumes().growing() != null || versioned.desired().volumes().recreateStatefulSet()), now);
    StepTarget target = new StepTarget(cluster, versioned.objects(), state, written.statefulSet(),
        written.desiredStatefulSet(), stateConfigMap, seen, cache, events, maintenance);
    StepExecutor.Outcome outcome = executor.execute(decision, target, now);
    Optional<Step.Kind> kind = Optional.ofNullable(decision).map(d -> d.step().kind())
        .filter(k -> k != Step.Kind.WAIT && k != Step.Kind.NOTHING);
    MaintenanceStatus after = outcome.maintenance() != null ? outcome.maintenance() : maintenance;
    String finding = decision == null ? null : decision.finding();
    String growing = versioned.desired().volumes().growing();
    // Claims expanding is the cluster's business too while no step is: said where operations are.
    Operation operation = outcome.operation() == null && growing != null
        ? target.operation(OperationType.GrowVolumes, "volumes", growing, now, false) : outcome.operation();
    return new Taken(kind, operation, outcome.failure(), MaintenanceRecords.finding(after, finding), finding);
  }
}
