package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.MaintenanceStatus;
import io.etcdpilot.operator.api.v1alpha1.MemberFailure;
import io.etcdpilot.operator.api.v1alpha1.Operation;
import io.etcdpilot.operator.drill.DrillPlan;
import io.etcdpilot.operator.plan.Step;
import io.etcdpilot.operator.snapshot.SnapshotPlan;
import io.etcdpilot.operator.upgrade.UpgradeProgress;
import java.util.List;
import java.util.Optional;

/**
 * The plan-and-act stage's output: the step taken (at most one), what status records of it, and what the snapshot
 * schedule did.
 *
 * @param taken the step carried out; empty when none was (nothing to do, a wait, or acting was not possible)
 * @param operation the step in flight for {@code status.operation}; null when none is
 * @param memberFailure the last member that failed to join (kept from the last status unless a step changed it)
 * @param roll the member pods as a version change sees them
 * @param snapshots what the schedule asked of this pass; empty while paused
 * @param maintenance status.maintenance after this pass
 * @param maintenanceFinding what maintenance could not do by itself (null when nothing)
 * @param recoveryAdvice how to get out of a lost quorum, when it will not come back by itself (null otherwise)
 * @param drill what restore drills did this pass; empty while nothing could act
 */
record StepResult(Applied applied, Optional<Step.Kind> taken, Operation operation, MemberFailure memberFailure,
    List<UpgradeProgress.MemberRun> roll, Optional<SnapshotPlan.Plan> snapshots, MaintenanceStatus maintenance,
    String maintenanceFinding, String recoveryAdvice, Optional<DrillPlan.Plan> drill) {}
