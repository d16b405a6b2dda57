package io.etcdpilot.operator.maintenance;

import io.etcdpilot.operator.model.BackendQuota;
import io.etcdpilot.operator.model.Durations;
import io.etcdpilot.operator.plan.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides the next maintenance step, one member at a time, from what etcd reports and what status remembers of past
 * defragmentations. Pure.
 *
 * <p>NOSPACE first: compact to the current revision, defragment every member that has not been since (followers,
 * then the leader after leadership moved away), and disarm only when every member is below 90 % of the quota; when the
 * live data itself is above that, say so instead of disarming into the next alarm.
 *
 * <p>Otherwise the policy: only while every voter is healthy and no learner waits, within the window; a member whose
 * rule holds and whose last defragmentation is older than minInterval, the most reclaimable follower first, the leader
 * last and only after its leadership moved to the follower furthest ahead. A member whose defragmentation failed is
 * retried after a back-off that doubles; after three failures in a row no other member is touched until it succeeds.
 */
public final class MaintenancePlanner {
  public static final int FAILURES_BEFORE_HOLD = 3;
  static final Duration FIRST_RETRY = Duration.ofMinutes(1);
  /** NOSPACE is disarmed only when every member's database is below this share of the quota. */
  public static final double DISARM_BELOW = 0.9;
  /** A NOSPACE recovery that could not disarm compacts again after keys were deleted, at most this often. */
  static final Duration RECYCLE_AFTER = Duration.ofMinutes(1);

  /**
   * A member as etcd reports it; {@code quota}: the quota it runs with (its pod's flag; 0: the rendered one). While
   * a new quota rolls out, members run different ones.
   */
  public record Member(String name, long id, boolean learner, boolean healthy, long dbSize, long dbSizeInUse,
      long raftIndex, long quota) {
    public Member(String name, long id, boolean learner, boolean healthy, long dbSize, long dbSizeInUse,
        long raftIndex) {
      this(name, id, learner, healthy, dbSize, dbSizeInUse, raftIndex, 0);
    }

    long quotaOr(long rendered) {
      return quota > 0 ? quota : rendered;
    }

    DbSizes sizes(long quota) {
      return new DbSizes(dbSize, dbSizeInUse, quota);
    }
  }

  /**
   * Automatic volume growth ({@code spec.storage.autoGrow}): when live data stays above {@code percent} of the quota
   * after defragmentation, volumes grow from {@code current} by {@code step}, at most to {@code max}.
   * {@code inProgress}: a growth is still being carried out (no other starts).
   */
  public record Growth(int percent, String current, String step, String max, boolean inProgress) {
    /** One step more, at most {@code max}, as a quantity; null when already there. */
    String next() {
      long now = BackendQuota.bytes(current);
      long next = Math.min(now + BackendQuota.bytes(step), BackendQuota.bytes(max));
      if (next <= now) return null;
      return next % BackendQuota.GIB == 0 ? (next / BackendQuota.GIB) + "Gi" : (next >> 20) + "Mi";
    }
  }

  /** What status remembers of a member's defragmentations; null fields when there was none. */
  public record History(Instant lastDefrag, int consecutiveFailures, Instant lastFailure) {
    static final History NONE = new History(null, 0, null);
  }

  /**
   * The NOSPACE alarm in progress: when it was seen, when and to which revision the cluster was compacted for it (null
   * and 0: not yet).
   */
  public record NoSpace(Instant detected, Instant compacted, long compactedRevision) {
    public NoSpace(Instant detected, Instant compacted) {
      this(detected, compacted, 0);
    }
  }

  public record Policy(boolean enabled, DefragRule rule, Duration minInterval, DefragWindow window) {
    public static Policy defaults() {
      return new Policy(true, DefragRule.defaultRule(), Duration.ofHours(1), DefragWindow.always());
    }
  }

  /**
   * @param leader the leader's name, when a majority agrees on one
   * @param noSpace non-null while etcd reports NOSPACE
   * @param snapshotFrom the member a snapshot is streaming from (null: none)
   * @param revision the cluster's current revision (0: unknown)
   * @param growth automatic volume growth; null when off
   */
  public record Inputs(List<Member> members, String leader, long quota, NoSpace noSpace, Policy policy,
      Map<String, History> history, String snapshotFrom, long revision, Growth growth, Instant now) {
    public Inputs(List<Member> members, String leader, long quota, NoSpace noSpace, Policy policy,
        Map<String, History> history, String snapshotFrom, long revision, Instant now) {
      this(members, leader, quota, noSpace, policy, history, snapshotFrom, revision, null, now);
    }

    public Inputs(List<Member> members, String leader, long quota, NoSpace noSpace, Policy policy,
        Map<String, History> history, String snapshotFrom, Instant now) {
      this(members, leader, quota, noSpace, policy, history, snapshotFrom, 0, null, now);
    }
  }

  /** The step (Nothing when none) and what the user should know that no step changes (null when nothing). */
  public record Plan(Step step, String finding) {
    static Plan nothing() {
      return new Plan(new Step.Nothing(), null);
    }
  }

  public Plan next(Inputs in) {
    List<Member> voters = in.members().stream().filter(m -> !m.learner()).toList();
    if (in.noSpace() != null) return noSpace(in, voters);
    Policy policy = in.policy();
    if (!policy.enabled() || voters.isEmpty()) return Plan.nothing();
    if (voters.stream().anyMatch(m -> !m.healthy()) || voters.size() < in.members().size()) {
      return Plan.nothing(); // a member down or joining: defragmenting another would take a second one away
    }
    Optional<Member> held = voters.stream()
        .filter(m -> history(in, m).consecutiveFailures() >= FAILURES_BEFORE_HOLD).findFirst();
    if (held.isPresent()) {
      Member m = held.get();
      String finding = "defragmentation of " + m.name() + " failed " + history(in, m).consecutiveFailures()
          + " times in a row; no other member is defragmented until it succeeds";
      if (!retryDue(in, m, policy.minInterval()) || !policy.window().open(in.now())) return new Plan(new Step.Nothing(), finding);
      return new Plan(toward(in, voters, m, "retrying after " + history(in, m).consecutiveFailures() + " failures"),
          finding);
    }
    if (!policy.window().open(in.now())) return Plan.nothing();
    List<Member> due;
    try {
      due = voters.stream().filter(m -> intervalPassed(in, m, policy.minInterval()) && retryDue(in, m, policy.minInterval()))
          .filter(m -> policy.rule().holds(m.sizes(m.quotaOr(in.quota())))).toList();
    } catch (IllegalStateException e) {
      return new Plan(new Step.Nothing(), "spec.maintenance.defrag.rule fails on a member's sizes: " + e.getMessage());
    }
    Optional<Member> next = inOrder(in, due).stream().filter(m -> !m.name().equals(in.snapshotFrom())).findFirst();
    if (next.isPresent()) return new Plan(toward(in, voters, next.get(), why(in, next.get())), null);
    return grow(in, voters).map(step -> new Plan(step, null)).orElse(Plan.nothing());
  }

  /**
   * Volumes one step bigger when a member's live data is above the growth threshold and a defragmentation would give
   * back less than a tenth: what stays after defragmenting is what grows.
   */
  private static Optional<Step> grow(Inputs in, List<Member> voters) {
    Growth g = in.growth();
    // A growth in progress, or members not yet restarted onto the quota the last one raised: nothing to judge yet.
    if (g == null || g.inProgress() || voters.stream().anyMatch(m -> m.quotaOr(in.quota()) < in.quota())) {
      return Optional.empty();
    }
    Optional<Member> crowded = voters.stream().filter(m -> m.dbSizeInUse() * 100 > (long) g.percent() * m.quotaOr(in.quota())
        && (m.dbSize() - m.dbSizeInUse()) * 10 < m.dbSize()).max(Comparator.comparingLong(Member::dbSizeInUse));
    if (crowded.isEmpty()) return Optional.empty();
    String next = g.next();
    if (next == null) return Optional.empty();
    Member m = crowded.get();
    return Optional.of(new Step.GrowVolumes(next, "live data " + BackendQuota.mib(m.dbSizeInUse()) + " on " + m.name()
        + " is above " + g.percent() + "% of its " + BackendQuota.mib(m.quotaOr(in.quota())) + " quota"));
  }

  private Plan noSpace(Inputs in, List<Member> voters) {
    NoSpace alarm = in.noSpace();
    if (voters.stream().anyMatch(m -> !m.healthy())) {
      return new Plan(new Step.Wait("NOSPACE: waiting for every voting member to be healthy before defragmenting"),
          null);
    }
    if (alarm.compacted() == null) return new Plan(new Step.Compact(), null);
    List<Member> pending = voters.stream().filter(m -> {
      Instant last = history(in, m).lastDefrag();
      return (last == null || last.isBefore(alarm.compacted())) && retryDue(in, m, Duration.ofMinutes(10));
    }).toList();
    if (!pending.isEmpty()) {
      Member m = inOrder(in, pending).get(0);
      return new Plan(toward(in, voters, m, "NOSPACE recovery: " + BackendQuota.mib(m.dbSize() - m.dbSizeInUse())
          + " to give back"), null);
    }
    List<Member> full = voters.stream().filter(m -> m.dbSize() >= DISARM_BELOW * m.quotaOr(in.quota())).toList();
    boolean waitingOnRetry = voters.stream().anyMatch(m -> {
      Instant last = history(in, m).lastDefrag();
      return last == null || last.isBefore(alarm.compacted());
    });
    if (full.isEmpty() && !waitingOnRetry) return new Plan(new Step.DisarmNoSpace(), null);
    if (waitingOnRetry) {
      return new Plan(new Step.Wait("NOSPACE: a defragmentation failed; retrying after its back-off"), null);
    }
    // Keys deleted since (by a person, after being told below): a deletion is a new revision, and what it frees shows
    // only after a compaction; so compact and defragment again, at most every RECYCLE_AFTER.
    boolean changedSince = in.revision() > alarm.compactedRevision() && alarm.compactedRevision() > 0;
    if (changedSince && !alarm.compacted().plus(RECYCLE_AFTER).isAfter(in.now())) {
      return new Plan(new Step.Compact(), null);
    }
    Member largest = full.stream().max(Comparator.comparingLong(Member::dbSizeInUse)).orElseThrow();
    Growth g = in.growth();
    if (g != null && !g.inProgress() && largest.quotaOr(in.quota()) >= in.quota()) {
      String next = g.next();
      if (next != null) {
        return new Plan(new Step.GrowVolumes(next, "NOSPACE with live data " + BackendQuota.mib(largest.dbSizeInUse())
            + " on " + largest.name() + " of a " + BackendQuota.mib(largest.quotaOr(in.quota())) + " quota"), null);
      }
    }
    String finding = "live data " + BackendQuota.mib(largest.dbSizeInUse()) + " on " + largest.name() + " of a "
        + BackendQuota.mib(largest.quotaOr(in.quota())) + " quota: defragmentation cannot bring it below "
        + Math.round(DISARM_BELOW * 100) + "%; "
        + (largest.quotaOr(in.quota()) < in.quota() ? "waiting for the members to restart with the raised quota"
            : g != null && g.inProgress() ? "waiting for the volumes to grow"
            : "delete data, raise spec.etcd.quotaBackendBytes or grow spec.storage.size"
                + (g != null ? " (spec.storage.autoGrow.maxSize is reached)" : ""));
    // Others may act: a growth's roll (raising each member's quota) is the way out.
    return new Plan(new Step.Wait(finding, true), finding);
  }

  /** The member's defragmentation, or first leadership away from it when it leads (and another can take over). */
  private static Step toward(Inputs in, List<Member> voters, Member m, String why) {
    if (!m.name().equals(in.leader()) || voters.size() == 1) return new Step.Defragment(m.name(), m.id(), why);
    Optional<Member> successor = voters.stream().filter(v -> v != m && v.healthy())
        .max(Comparator.comparingLong(Member::raftIndex));
    if (successor.isEmpty()) return new Step.Wait("no healthy member to take over leadership before " + m.name()
        + " is defragmented");
    return new Step.MoveLeaderForDefrag(m.name(), successor.get().name(), successor.get().id());
  }

  /** Followers by what they give back (most first), the leader last. */
  private static List<Member> inOrder(Inputs in, List<Member> members) {
    return members.stream().sorted(Comparator.comparing((Member m) -> m.name().equals(in.leader()))
        .thenComparing(Comparator.comparingLong((Member m) -> m.dbSize() - m.dbSizeInUse()).reversed())
        .thenComparing(Member::name)).toList();
  }

  private static String why(Inputs in, Member m) {
    return BackendQuota.mib(m.dbSize() - m.dbSizeInUse()) + " free of " + BackendQuota.mib(m.dbSize()) + " ("
        + Math.round(100.0 * m.dbSize() / Math.max(1, m.quotaOr(in.quota()))) + "% of the quota)";
  }

  private static History history(Inputs in, Member m) {
    return in.history().getOrDefault(m.name(), History.NONE);
  }

  private static boolean intervalPassed(Inputs in, Member m, Duration minInterval) {
    Instant last = history(in, m).lastDefrag();
    return last == null || !last.plus(minInterval).isAfter(in.now());
  }

  /** After n failures in a row, the next try waits 1 min × 2^(n-1), at most {@code cap}. */
  static Duration backoff(int failures, Duration cap) {
    if (failures <= 0) return Duration.ZERO;
    Duration d = FIRST_RETRY.multipliedBy(1L << Math.min(20, failures - 1));
    Duration ceiling = cap.compareTo(FIRST_RETRY) < 0 ? FIRST_RETRY : cap;
    return d.compareTo(ceiling) > 0 ? ceiling : d;
  }

  private static boolean retryDue(Inputs in, Member m, Duration cap) {
    History h = history(in, m);
    return h.lastFailure() == null || h.consecutiveFailures() == 0
        || !h.lastFailure().plus(backoff(h.consecutiveFailures(), cap)).isAfter(in.now());
  }

  /** For messages. */
  public static String describe(Policy p) {
    return (p.enabled() ? "on" : "off") + ", every " + Durations.format(p.minInterval()) + " at most, " + p.window();
  }
}
