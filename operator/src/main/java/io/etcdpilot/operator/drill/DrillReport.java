package io.etcdpilot.operator.drill;

import io.etcdpilot.operator.api.v1alpha1.BackupStatus;
import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterStatus;
import io.etcdpilot.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What drills say in status: {@code status.backup}, and the {@code BackupVerified} condition (True: the last drill
 * restored the newest snapshot and found it whole; False: it did not, or there was nothing to restore; Unknown:
 * no drill has finished yet). Absent when drills are off. Pure.
 */
public final class DrillReport {
  public static final String CONDITION = "BackupVerified";

  private DrillReport() {}

  public static void report(DrillPlan.Plan plan, EtcdCluster cluster, EtcdClusterStatus status, Instant now) {
    BackupStatus b = plan.status();
    status.setBackup(b);
    if (b == null) return;
    List<Condition> previous = cluster.getStatus() == null ? null : cluster.getStatus().getConditions();
    Optional<Condition> before = Conditions.find(previous, CONDITION);
    Condition next;
    if (b.getDrillResult() == null || b.getDrillResult() == BackupStatus.Result.Running) {
      next = before.map(c -> Conditions.next(previous, CONDITION, c.getStatus(), c.getReason(), c.getMessage(),
              cluster.getMetadata().getGeneration(), now))
          .orElseGet(() -> Conditions.next(previous, CONDITION, "Unknown", "NotYetVerified",
              b.getDrillResult() == null ? "no drill has run yet; the next is due at " + b.getNextDrillTime()
                  : "the first drill is restoring " + b.getDrillSnapshot(), cluster.getMetadata().getGeneration(), now));
    } else {
      boolean passed = b.getDrillResult() == BackupStatus.Result.Passed;
      String reason = passed ? DrillPlan.PASSED : b.getDrillSnapshot() == null ? DrillPlan.NO_SNAPSHOT : DrillPlan.FAILED;
      String subject = b.getDrillSnapshot() == null ? "" : "snapshot " + b.getDrillSnapshot() + " ";
      next = Conditions.next(previous, CONDITION, passed ? "True" : "False", reason,
          subject + "(drill of " + b.getDrillFinished() + "): " + b.getDrillMessage(),
          cluster.getMetadata().getGeneration(), now);
    }
    List<Condition> conditions = new ArrayList<>(status.getConditions());
    conditions.add(next);
    status.setConditions(conditions);
  }
}
