package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.MemberFailure;
import io.etcdpilot.operator.api.v1alpha1.Operation;
import io.etcdpilot.operator.kube.PassEvents;
import io.etcdpilot.operator.model.LearnerClock;
import io.etcdpilot.operator.plan.Step;
import io.etcdpilot.operator.snapshot.SnapshotPlan;
import io.etcdpilot.operator.snapshot.SnapshotScheduling;
import io.etcdpilot.operator.upgrade.UpgradeProgress;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Plan and act: keeps the membership bookkeeping true to etcd, asks the arbiter for this pass's one step and has the
 * executor carry it out; then the snapshot schedule's due work, which never waits on a step. Acts only on a formed
 * cluster etcd answers for, and never on a paused one.
 */
final class ActStage {
  private final MembershipBookkeeping bookkeeping;
  private final StepArbiter arbiter;
  private final StepExecutor executor;
  private final VersionStage versions;
  private final SnapshotScheduling snapshots;

  ActStage(MembershipBookkeeping bookkeeping, StepArbiter arbiter, StepExecutor executor, VersionStage versions,
      SnapshotScheduling snapshots) {
    this.bookkeeping = bookkeeping;
    this.arbiter = arbiter;
    this.executor = executor;
    this.versions = versions;
    this.snapshots = snapshots;
  }

  StepResult planAndAct(Applied applied, Observation seen, KubeCache cache, PassEvents events, Instant now)
      throws Exception {
    ClusterState state = applied.versioned().desired().state();
    EtcdCluster cluster = state.cluster();
    List<UpgradeProgress.MemberRun> roll = VersionStage.members(applied.statefulSet(), state.pods(), seen.etcd());
    MemberFailure failure = cluster.getStatus() == null ? null : cluster.getStatus().getMemberFailure();
    if (!(applied instanceof Applied.Written written)) {
      return new StepResult(applied, Optional.empty(), null, failure, roll, Optional.empty());
    }
    Taken step = seen.bootstrapped() && written.statefulSet() != null && seen.etcd().reachable()
        ? step(written, seen, roll, cache, events, now) : new Taken(Optional.empty(), null, failure);
    SnapshotPlan.Plan scheduled = snapshots.apply(cluster, state.snapshots(), events, now);
    return new StepResult(applied, step.kind(), step.operation(), step.failure(), roll, Optional.of(scheduled));
  }

  private record Taken(Optional<Step.Kind> kind, Operation operation, MemberFailure failure) {}

  private Taken step(Applied.Written written, Observation seen, List<UpgradeProgress.MemberRun> roll, KubeCache cache,
      PassEvents events, Instant now) throws Exception {
    Versioned versioned = written.versioned();
    ClusterState state = versioned.desired().state();
    EtcdCluster cluster = state.cluster();
    ConfigMap stateConfigMap = bookkeeping.apply(versioned.objects(), seen.etcd(), state, written.stateConfigMap(), cache,
        now);
    StepArbiter.Decision decision = arbiter.pick(new StepArbiter.Inputs(cluster, state.names(),
        versioned.objects().replicas(), written.statefulSet(), state.pods(), state.claims(), seen.etcd(),
        stateConfigMap.getData().get(LearnerClock.KEY), versions.roll(cluster, versioned.version(), roll)), now);
    StepExecutor.Outcome outcome = executor.execute(decision, new StepTarget(cluster, versioned.objects(),
        state, written.statefulSet(), written.desiredStatefulSet(), stateConfigMap, seen, cache, events), now);
    Optional<Step.Kind> kind = Optional.ofNullable(decision).map(d -> d.step().kind())
        .filter(k -> k != Step.Kind.WAIT && k != Step.Kind.NOTHING);
    return new Taken(kind, outcome.operation(), outcome.failure());
  }
}
