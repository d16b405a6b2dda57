package io.etcdpilot.operator.drill;

import io.etcdpilot.operator.api.v1alpha1.BackupStatus;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.snapshot.SnapshotSchedule;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * When a restore drill runs, what it restores, and what its result is: from the schedule ({@code
 * spec.snapshots.verify}), the last drill's record, the cluster's snapshots and the drill pod. Pure. One drill at a
 * time; a drill missed while the operator was away runs once; the newest snapshot that succeeded is the one restored
 * (the one a recovery would use).
 */
public final class DrillPlan {
  private DrillPlan() {}

  /** What the drill pod says. */
  public sealed interface Outcome {}
  public record Running() implements Outcome {}
  public record Passed(String message) implements Outcome {}
  public record Failed(String message) implements Outcome {}

  /**
   * @param verify the drill schedule; blank: no drills
   * @param previous the last status's record (null: none)
   * @param created when the cluster was created (the schedule counts from it before the first drill)
   * @param snapshots the cluster's EtcdSnapshots
   * @param job the drill Job's snapshot when one exists (null: no Job)
   * @param outcome what its pod says (null: no pod yet)
   */
  public record Inputs(String verify, String timeZone, BackupStatus previous, Instant created,
      List<EtcdSnapshot> snapshots, String job, Outcome outcome, boolean paused, Instant now) {}

  /** What to do, and {@code status.backup} after it (null when drills are off). */
  public sealed interface Plan {
    BackupStatus status();
  }
  /** No drills: a drill Job left over from before goes. */
  public record Off(boolean deleteJob) implements Plan {
    public BackupStatus status() { return null; }
  }
  /** Nothing to do now (the next drill is not due, or one is running). */
  public record Wait(BackupStatus status) implements Plan {}
  /** Start a drill of {@code snapshot}. */
  public record Start(String snapshot, BackupStatus status) implements Plan {}
  /** A drill ended (or could not start for want of a snapshot): said in an Event, and its Job (if any) goes. */
  public record Finish(boolean passed, String reason, String message, BackupStatus status) implements Plan {}

  public static final String PASSED = "DrillPassed";
  public static final String FAILED = "DrillFailed";
  public static final String NO_SNAPSHOT = "NoSnapshot";

  public static Plan decide(Inputs in) {
    if (in.verify() == null || in.verify().isBlank()) return new Off(in.job() != null);
    SnapshotSchedule schedule = SnapshotSchedule.parse(in.verify(), in.timeZone());
    BackupStatus b = new BackupStatus(in.previous());
    String now = stamp(in.now());
    if (in.job() != null) {
      Instant started = b.getDrillStarted() == null ? in.now() : Instant.parse(b.getDrillStarted());
      b.setDrillSnapshot(in.job());
      b.setNextDrillTime(next(schedule, started));
      Outcome outcome = in.outcome() == null ? new Running() : in.outcome();
      if (outcome instanceof Running) {
        if (!in.now().isBefore(started.plus(DrillJob.DEADLINE))) {
          outcome = new Failed("did not finish within " + DrillJob.DEADLINE.toHours() + "h");
        } else {
          if (b.getDrillStarted() == null) b.setDrillStarted(now);
          b.setDrillResult(BackupStatus.Result.Running);
          return new Wait(b);
        }
      }
      boolean passed = outcome instanceof Passed;
      String message = passed ? ((Passed) outcome).message() : ((Failed) outcome).message();
      b.setDrillFinished(now);
      b.setDrillResult(passed ? BackupStatus.Result.Passed : BackupStatus.Result.Failed);
      b.setDrillMessage(message);
      if (passed) {
        b.setLastPassedSnapshot(in.job());
        b.setLastPassedTime(now);
      }
      return new Finish(passed, passed ? PASSED : FAILED, "snapshot " + in.job() + ": " + message, b);
    }
    Instant since = b.getDrillStarted() != null ? Instant.parse(b.getDrillStarted()) : in.created();
    if (in.paused() || !schedule.due(since, in.now())) {
      b.setNextDrillTime(next(schedule, since));
      if (b.getDrillResult() == BackupStatus.Result.Running) {
        // Its Job is gone without a verdict (deleted by hand): the drill did not happen.
        b.setDrillResult(BackupStatus.Result.Failed);
        b.setDrillMessage("the drill's Job was deleted before it finished");
      }
      return new Wait(b);
    }
    b.setDrillStarted(now);
    b.setNextDrillTime(next(schedule, in.now()));
    Optional<EtcdSnapshot> newest = newestSucceeded(in.snapshots());
    if (newest.isEmpty()) {
      String message = "no snapshot of this cluster has succeeded: there is nothing to restore";
      b.setDrillSnapshot(null);
      b.setDrillFinished(now);
      b.setDrillResult(BackupStatus.Result.Failed);
      b.setDrillMessage(message);
      return new Finish(false, NO_SNAPSHOT, message, b);
    }
    String name = newest.get().getMetadata().getName();
    b.setDrillSnapshot(name);
    b.setDrillFinished(null);
    b.setDrillResult(BackupStatus.Result.Running);
    b.setDrillMessage("restoring " + name + " into a scratch pod");
    return new Start(name, b);
  }

  /** The newest snapshot that succeeded (by completion time). */
  public static Optional<EtcdSnapshot> newestSucceeded(List<EtcdSnapshot> snapshots) {
    return snapshots.stream().filter(s -> s.getStatus() != null && "Succeeded".equals(s.getStatus().getPhase())
            && s.getStatus().getLocation() != null && s.getStatus().getCompletionTime() != null)
        .max(Comparator.comparing((EtcdSnapshot s) -> Instant.parse(s.getStatus().getCompletionTime()))
            .thenComparing(s -> s.getMetadata().getName()));
  }

  private static String next(SnapshotSchedule schedule, Instant after) {
    return schedule.next(after).map(DrillPlan::stamp).orElse(null);
  }

  private static String stamp(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
