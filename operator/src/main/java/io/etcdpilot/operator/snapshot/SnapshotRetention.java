package io.etcdpilot.operator.snapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which snapshots retention deletes. Pure. Only scheduled snapshots are pruned (on-demand ones are the user's): the
 * successful ones beyond the newest {@code keep}, and those older than {@code maxAge}; the newest successful one never
 * is. Failed attempts beyond the newest three go too; running ones are never touched.
 */
public final class SnapshotRetention {
  public static final int DEFAULT_KEEP = 14;
  static final int FAILED_KEPT = 3;

  private SnapshotRetention() {}

  public enum Phase { Pending, Running, Succeeded, Failed }

  /** A snapshot as retention sees it. */
  public record Entry(String name, boolean scheduled, Phase phase, Instant created) {}

  public static List<String> toDelete(List<Entry> snapshots, int keep, Duration maxAge, Instant now) {
    List<Entry> scheduled = snapshots.stream().filter(Entry::scheduled)
        .sorted(Comparator.comparing(Entry::created).reversed()).toList();
    List<String> delete = new ArrayList<>();
    List<Entry> succeeded = scheduled.stream().filter(e -> e.phase() == Phase.Succeeded).toList();
    for (int i = 0; i < succeeded.size(); i++) {
      Entry e = succeeded.get(i);
      boolean tooMany = i >= Math.max(1, keep);
      boolean tooOld = maxAge != null && e.created().plus(maxAge).isBefore(now);
      if (i > 0 && (tooMany || tooOld)) delete.add(e.name());
    }
    List<Entry> failed = scheduled.stream().filter(e -> e.phase() == Phase.Failed).toList();
    for (int i = FAILED_KEPT; i < failed.size(); i++) delete.add(failed.get(i).name());
    return delete;
  }
}
