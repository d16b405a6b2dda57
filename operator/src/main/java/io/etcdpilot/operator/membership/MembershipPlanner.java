package io.etcdpilot.operator.membership;

import io.etcdpilot.operator.model.Durations;
import io.etcdpilot.operator.model.Quorum;
import io.etcdpilot.operator.plan.Step;
import io.etcdpilot.operator.plan.Step.AddLearner;
import io.etcdpilot.operator.plan.Step.Cause;
import io.etcdpilot.operator.plan.Step.GrowStatefulSet;
import io.etcdpilot.operator.plan.Step.MoveLeader;
import io.etcdpilot.operator.plan.Step.Nothing;
import io.etcdpilot.operator.plan.Step.Promote;
import io.etcdpilot.operator.plan.Step.RemoveMember;
import io.etcdpilot.operator.plan.Step.ShrinkStatefulSet;
import io.etcdpilot.operator.plan.Step.Wait;
import io.etcdpilot.operator.plan.Step.WipeVolume;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides the single next membership step from what etcd, the pods and the volumes say, never from memory:
 * an operator that crashed between two steps re-derives where it was. One change at a time, learners
 * first (added before their pod starts, promoted once etcd accepts), removal before shrinking and before
 * re-adding a failed member, never below quorum, never a voting add, and from two members only while both
 * are healthy. A volume that held a removed member's data is wiped before a learner starts on it.
 */
public final class MembershipPlanner {
  public static final Duration DEFAULT_LEARNER_DEADLINE = Duration.ofMinutes(5);
  public static final Duration DEFAULT_FAILED_MEMBER_DEADLINE = Duration.ofMinutes(10);
  /**
   * How long a learner's pod may be unable to start (unschedulable, its image not pulled) before the learner is
   * removed: such a pod does not start by waiting, and the learner's full deadline would only hide why.
   */
  public static final Duration START_DEADLINE = Duration.ofMinutes(2);

  /**
   * A member as etcd lists it; {@code ordinal} comes from its peer URL (its pod name). {@code corrupt}: its data differ
   * from its peers' (etcd's CORRUPT alarm, decided by a majority). {@code slowDisk}: its WAL fsyncs are too slow.
   */
  public record Member(long id, int ordinal, boolean learner, boolean started, boolean healthy, boolean corrupt,
      boolean slowDisk) {
    public Member(long id, int ordinal, boolean learner, boolean started, boolean healthy) {
      this(id, ordinal, learner, started, healthy, false, false);
    }

    public Member(long id, int ordinal, boolean learner, boolean started, boolean healthy, boolean corrupt) {
      this(id, ordinal, learner, started, healthy, corrupt, false);
    }
  }

  /**
   * What Kubernetes says about one ordinal. {@code volumeOwner}: the member whose data the ordinal's volume
   * holds (label on the claim; null when there is no claim or it was never used). {@code dataLost}: the pod
   * exits because etcd found no data for a member that still exists. {@code notReadySince}: null while ready.
   * {@code serving}: the ordinal's pod is Ready (its member answers clients): its volume is never wiped.
   * {@code startProblem}: why its pod cannot start, in Kubernetes' words (unschedulable, image not pulled), since
   * {@code startProblemSince}; null while it starts as it should. {@code dataCorrupt}: etcd refused to start it because
   * its data differ from its peers' (the initial corruption check).
   */
  public record Slot(int ordinal, Long volumeOwner, boolean dataLost, Instant notReadySince, boolean serving,
      String startProblem, Instant startProblemSince, boolean dataCorrupt) {
    public Slot(int ordinal, Long volumeOwner, boolean dataLost, Instant notReadySince) {
      this(ordinal, volumeOwner, dataLost, notReadySince, false, null, null, false);
    }

    public Slot(int ordinal, Long volumeOwner, boolean dataLost, Instant notReadySince, boolean serving,
        String startProblem, Instant startProblemSince) {
      this(ordinal, volumeOwner, dataLost, notReadySince, serving, startProblem, startProblemSince, false);
    }

    public static Slot healthy(int ordinal, long owner) {
      return new Slot(ordinal, owner, false, null);
    }
  }

  /**
   * Observed state. {@code learnerSince}: when the current learner was added (null when unknown);
   * {@code addsStopped}: why no learner may be added now (a learner failed under this spec), null when allowed.
   */
  public record Observed(int desired, int statefulSetReplicas, List<Member> members, int leaderOrdinal,
      Instant learnerSince, Map<Integer, Slot> slots, String addsStopped) {
    public Observed(int desired, int statefulSetReplicas, List<Member> members, int leaderOrdinal, Instant learnerSince) {
      this(desired, statefulSetReplicas, members, leaderOrdinal, learnerSince, Map.of(), null);
    }

    Slot slot(int ordinal) {
      return slots.getOrDefault(ordinal, new Slot(ordinal, null, false, null));
    }
  }

  private final Duration learnerDeadline;
  private final Duration failedMemberDeadline;

  public MembershipPlanner() {
    this(DEFAULT_LEARNER_DEADLINE, DEFAULT_FAILED_MEMBER_DEADLINE);
  }

  public MembershipPlanner(Duration learnerDeadline, Duration failedMemberDeadline) {
    this.learnerDeadline = learnerDeadline;
    this.failedMemberDeadline = failedMemberDeadline;
  }

  public Duration learnerDeadline() {
    return learnerDeadline;
  }

  public Step next(Observed o, Instant now) {
    List<Member> voters = o.members().stream().filter(m -> !m.learner()).toList();
    Optional<Member> learner = o.members().stream().filter(Member::learner).findFirst();
    long healthyVoters = voters.stream().filter(Member::healthy).count();
    int n = voters.size();

    Optional<Member> foreign = o.members().stream().filter(m -> m.ordinal() < 0).findFirst();
    if (foreign.isPresent()) {
      // Not one of our pods: nothing here can tell whether it is safe to change membership around it.
      return new Wait("etcd lists member " + Long.toHexString(foreign.get().id())
          + " whose peer URL is not a pod of this cluster; remove it with etcdctl member remove");
    }
    if (learner.isPresent()) {
      return learnerStep(o, learner.get(), now);
    }

    int keep = o.members().stream().mapToInt(Member::ordinal).max().orElse(-1) + 1;
    if (o.statefulSetReplicas() > keep) {
      // Pods exist above the highest member (removed, or an add undone): shrink first, so a removed member's
      // pod never lingers and its volume is handled before the next change.
      return new ShrinkStatefulSet(keep);
    }

    Optional<Step> replacement = replacementStep(o, voters, healthyVoters, now);
    if (replacement.isPresent()) return replacement.get();

    Set<Integer> taken = o.members().stream().map(Member::ordinal).collect(Collectors.toSet());
    Optional<Integer> hole = java.util.stream.IntStream.range(0, o.desired()).filter(i -> !taken.contains(i)).boxed()
        .findFirst();
    if (hole.isPresent() && n <= o.desired()) {
      if (healthyVoters < n) return new Wait((n - healthyVoters) + " member(s) unhealthy: no membership change now");
      if (o.addsStopped() != null) {
        return new Wait("not adding members: " + o.addsStopped() + "; fix the cause, then change the spec to retry",
            true);
      }
      Slot slot = o.slot(hole.get());
      if (slot.volumeOwner() != null && !taken(o).contains(slot.volumeOwner())) {
        // Wipe before adding: once the learner is in the join list, a pod still running on the stale volume (a
        // replaced member crash-looping) would join as the learner, sync, and then lose that data to the wipe;
        // etcd then finds the learner's log gone ("tocommit out of range") and it never catches up.
        return wipe(slot);
      }
      return new AddLearner(hole.get());
    }
    if (n > o.desired()) {
      Member target = voters.stream().max(Comparator.comparingInt(Member::ordinal)).orElseThrow();
      return removeVoter(o, voters, healthyVoters, target, Cause.SCALE_IN, "scaling in to " + o.desired());
    }
    return new Nothing();
  }

  private Step learnerStep(Observed o, Member l, Instant now) {
    if (l.ordinal() >= o.desired()) {
      return new RemoveMember(l.id(), l.ordinal(), Cause.UNWANTED_LEARNER,
          "the spec no longer asks for member " + l.ordinal());
    }
    Slot slot = o.slot(l.ordinal());
    String cannotStart = l.started() ? null : slot.startProblem();
    if (o.learnerSince() != null && o.learnerSince().plus(learnerDeadline).isBefore(now)) {
      return new RemoveMember(l.id(), l.ordinal(), Cause.LEARNER_FAILED, "learner " + l.ordinal()
          + " did not catch up within " + Durations.format(learnerDeadline) + (cannotStart == null ? "" : ": " + cannotStart));
    }
    if (cannotStart != null) {
      Duration limit = learnerDeadline.compareTo(START_DEADLINE) < 0 ? learnerDeadline : START_DEADLINE;
      Instant since = slot.startProblemSince() == null ? now : slot.startProblemSince();
      if (!since.plus(limit).isAfter(now)) {
        return new RemoveMember(l.id(), l.ordinal(), Cause.LEARNER_FAILED, cannotStart + " (for more than "
            + Durations.format(limit) + ")");
      }
    }
    if (slot.volumeOwner() != null && !taken(o).contains(slot.volumeOwner())) {
      // Still stale (an operator that crashed between wipe and add, or a claim relabelled by hand): it must start empty.
      return wipe(slot);
    }
    if (o.statefulSetReplicas() <= l.ordinal()) {
      return new GrowStatefulSet(l.ordinal() + 1);
    }
    if (cannotStart != null) {
      // The existing members are no less safe to work on meanwhile: an upgrade or a rotation may go on.
      return new Wait("learner " + l.ordinal() + " cannot start: " + cannotStart, true);
    }
    if (!l.started() || !l.healthy()) {
      return new Wait("learner " + l.ordinal() + " is starting");
    }
    if (l.slowDisk()) {
      // A voter on a slow disk slows every commit: it stays a learner until its disk recovers (or its deadline).
      return new Wait("learner " + l.ordinal() + "'s disk is too slow to make it a voter; waiting for it to recover");
    }
    return new Promote(l.id(), l.ordinal());
  }

  /**
   * A stale volume is wiped only while nothing serves from it: a pod that is Ready answers clients, and a member list
   * that missed a voter (a lagging view) must never cost that voter its data. A removed member stops by itself.
   */
  private static Step wipe(Slot slot) {
    if (slot.serving()) {
      return new Wait("the volume of member " + slot.ordinal() + " holds removed member "
          + Long.toHexString(slot.volumeOwner()) + "'s data, but its pod is Ready and serving: not wiping it");
    }
    return new WipeVolume(slot.ordinal(), slot.volumeOwner());
  }

  private static Set<Long> taken(Observed o) {
    return o.members().stream().map(Member::id).collect(Collectors.toSet());
  }

  /** A voter that lost its data, or has been unreachable past the deadline, is removed so it can be re-added. */
  private Optional<Step> replacementStep(Observed o, List<Member> voters, long healthyVoters, Instant now) {
    for (Member m : voters.stream().sorted(Comparator.comparingInt(Member::ordinal)).toList()) {
      if (m.healthy() && !m.corrupt()) continue;
      Slot slot = o.slot(m.ordinal());
      String why;
      if (m.corrupt()) {
        why = "member " + m.ordinal() + "'s data differ from its peers' (etcd raised CORRUPT)";
      } else if (slot.dataCorrupt()) {
        why = "member " + m.ordinal() + "'s data differ from its peers' (etcd's corruption check refused to start it)";
      } else if (slot.dataLost()) {
        why = "member " + m.ordinal() + " lost its data";
      } else if (slot.notReadySince() != null && !slot.notReadySince().plus(failedMemberDeadline).isAfter(now)) {
        why = "member " + m.ordinal() + " unreachable for more than " + Durations.format(failedMemberDeadline);
      } else {
        continue;
      }
      if (voters.size() <= 2) {
        return Optional.of(new Wait(why + ", but a cluster of " + voters.size()
            + " cannot remove it without losing quorum: restore from a snapshot or repair by hand"));
      }
      return Optional.of(removeVoter(o, voters, healthyVoters, m, Cause.REPLACE, why));
    }
    return Optional.empty();
  }

  private static Step removeVoter(Observed o, List<Member> voters, long healthyVoters, Member target, Cause cause,
      String why) {
    int n = voters.size();
    // Two members: the removal needs both to commit it. Only when both are healthy (and leadership sits on
    // the member that stays, below) — otherwise the cluster could be left unable to make progress.
    if (n == 2 && healthyVoters < 2) {
      return new Wait("not removing a member from a two-member cluster while one is unhealthy");
    }
    long healthyAfter = voters.stream().filter(m -> m != target && m.healthy()).count();
    if (healthyAfter < Quorum.of(n - 1)) {
      return new Wait("removing member " + target.ordinal() + " would leave " + healthyAfter
          + " healthy voters, below quorum " + Quorum.of(n - 1));
    }
    if (target.ordinal() == o.leaderOrdinal()) {
      Optional<Member> successor = voters.stream().filter(m -> m != target && m.healthy())
          .min(Comparator.comparingInt(Member::ordinal));
      if (successor.isEmpty()) return new Wait("no healthy member to take over leadership");
      return new MoveLeader(target.ordinal(), successor.get().id(), successor.get().ordinal());
    }
    return new RemoveMember(target.id(), target.ordinal(), cause, why);
  }
}
