package io.etcdpilot.operator.snapshot;

import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.api.v1alpha1.LastSnapshot;
import io.etcdpilot.operator.api.v1alpha1.SnapshotsSpec;
import io.etcdpilot.operator.model.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What the schedule asks of one cluster pass, from its spec, its EtcdSnapshots and the clock. Pure: whether to create
 * a scheduled snapshot now (or skip it because one is still running), which ones retention removes, and what status
 * says about snapshots.
 */
public final class SnapshotPlan {
  private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  /** Health of the schedule: null when there is none. */
  public record Health(boolean healthy, String reason, String message) {}

  /**
   * @param create the name of the scheduled snapshot to create now; null for none
   * @param skipped the schedule fired while a snapshot was running (no new one; say so)
   * @param lastScheduleTime what status keeps as the schedule's last run
   */
  public record Plan(String create, boolean skipped, String lastScheduleTime, String nextSnapshotTime,
      List<String> prune, LastSnapshot last, Health health) {}

  private SnapshotPlan() {}

  public static Plan of(String cluster, SnapshotsSpec spec, List<EtcdSnapshot> snapshots, String lastScheduleTime,
      Instant clusterCreated, Instant now) {
    LastSnapshot last = newestSucceeded(snapshots).map(s -> {
      LastSnapshot l = new LastSnapshot();
      l.setName(s.getMetadata().getName());
      l.setTime(s.getStatus().getCompletionTime());
      l.setRevision(s.getStatus().getRevision());
      l.setSize(s.getStatus().getSize());
      return l;
    }).orElse(null);
    if (spec == null || spec.getSchedule() == null || spec.getSchedule().isBlank()) {
      return new Plan(null, false, lastScheduleTime, null, List.of(), last, null);
    }
    SnapshotSchedule schedule = SnapshotSchedule.parse(spec.getSchedule(), spec.getTimeZone());
    Instant since = lastScheduleTime != null ? Instant.parse(lastScheduleTime) : clusterCreated;
    String create = null;
    boolean skipped = false;
    String lastRun = lastScheduleTime;
    if (schedule.due(since, now)) {
      lastRun = now.truncatedTo(ChronoUnit.SECONDS).toString();
      boolean busy = snapshots.stream().anyMatch(s -> phase(s) == SnapshotRetention.Phase.Pending
          || phase(s) == SnapshotRetention.Phase.Running);
      // Named after the run it stands for, not the moment it was noticed: a pass repeated after a conflict creates
      // the same name again, which the API server refuses, instead of a second snapshot.
      Instant slot = schedule.next(since).orElse(now);
      if (busy) skipped = true;
      else create = cluster + "-" + NAME_TIME.format(slot);
    }
    Instant next = schedule.next(lastRun != null ? Instant.parse(lastRun) : since).orElse(null);
    int keep = spec.getRetention() == null || spec.getRetention().getKeep() == null ? SnapshotRetention.DEFAULT_KEEP
        : spec.getRetention().getKeep();
    Duration maxAge = spec.getRetention() == null || spec.getRetention().getMaxAge() == null ? null
        : Durations.parse(spec.getRetention().getMaxAge());
    List<String> prune = SnapshotRetention.toDelete(snapshots.stream().map(SnapshotPlan::entry).toList(), keep, maxAge, now);
    return new Plan(create, skipped, lastRun, next == null ? null : next.toString(), prune, last,
        health(schedule, snapshots, last, clusterCreated, now));
  }

  /** False when the newest scheduled snapshot failed, or none succeeded within two schedule intervals. */
  private static Health health(SnapshotSchedule schedule, List<EtcdSnapshot> snapshots, LastSnapshot last,
      Instant clusterCreated, Instant now) {
    Optional<EtcdSnapshot> newestScheduled = snapshots.stream().filter(SnapshotPlan::scheduled)
        .filter(s -> phase(s) == SnapshotRetention.Phase.Succeeded || phase(s) == SnapshotRetention.Phase.Failed)
        .max(Comparator.comparing(SnapshotPlan::created));
    if (newestScheduled.isPresent() && phase(newestScheduled.get()) == SnapshotRetention.Phase.Failed) {
      return new Health(false, "LastSnapshotFailed", "scheduled snapshot " + newestScheduled.get().getMetadata().getName()
          + " failed: " + newestScheduled.get().getStatus().getMessage());
    }
    Instant n1 = schedule.next(now).orElse(now);
    Duration interval = Duration.between(n1, schedule.next(n1).orElse(n1));
    Instant reference = last != null && last.getTime() != null ? Instant.parse(last.getTime()) : clusterCreated;
    if (reference.plus(interval.multipliedBy(2)).isBefore(now)) {
      return new Health(false, "SnapshotOverdue", last == null ? "no snapshot has succeeded yet"
          : "the newest successful snapshot (" + last.getName() + ") is older than two schedule intervals");
    }
    return new Health(true, "SnapshotsSucceeding", last == null ? "waiting for the first scheduled snapshot"
        : "newest: " + last.getName() + " at " + last.getTime());
  }

  private static Optional<EtcdSnapshot> newestSucceeded(List<EtcdSnapshot> snapshots) {
    return snapshots.stream().filter(s -> phase(s) == SnapshotRetention.Phase.Succeeded)
        .max(Comparator.comparing(s -> s.getStatus().getCompletionTime() == null ? "" : s.getStatus().getCompletionTime()));
  }

  static SnapshotRetention.Entry entry(EtcdSnapshot s) {
    return new SnapshotRetention.Entry(s.getMetadata().getName(), scheduled(s), phase(s), created(s));
  }

  static boolean scheduled(EtcdSnapshot s) {
    return s.getMetadata().getLabels() != null && "true".equals(s.getMetadata().getLabels().get(EtcdSnapshot.SCHEDULED_LABEL));
  }

  static Instant created(EtcdSnapshot s) {
    return s.getMetadata().getCreationTimestamp() == null ? Instant.EPOCH : Instant.parse(s.getMetadata().getCreationTimestamp());
  }

  static SnapshotRetention.Phase phase(EtcdSnapshot s) {
    String p = s.getStatus() == null ? null : s.getStatus().getPhase();
    return p == null ? SnapshotRetention.Phase.Pending : SnapshotRetention.Phase.valueOf(p);
  }
}
