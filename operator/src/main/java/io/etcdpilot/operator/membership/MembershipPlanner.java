package io.etcdpilot.operator.membership;

import io.etcdpilot.operator.model.Quorum;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Decides the single next membership step from what etcd and the StatefulSet say, never from memory:
 * an operator that crashed between two steps re-derives where it was. One change at a time, learners
 * first (added before their pod starts, promoted once etcd accepts), removal before shrinking, never
 * below quorum, never a voting add, and from two members only while both are healthy.
 */
public final class MembershipPlanner {
  /** A learner that has not caught up by then is removed and reported. */
  public static final Duration LEARNER_DEADLINE = Duration.ofMinutes(5);

  /** A member as etcd lists it; {@code ordinal} comes from its peer URL (its pod name). */
  public record Member(long id, int ordinal, boolean learner, boolean started, boolean healthy) {}

  /** Observed state. {@code learnerSince} is when the current learner was added (null when unknown). */
  public record Observed(int desired, int statefulSetReplicas, List<Member> members, int leaderOrdinal,
      Instant learnerSince) {}

  public sealed interface Step permits Nothing, Wait, AddLearner, GrowStatefulSet, Promote, MoveLeader, RemoveMember,
      ShrinkStatefulSet {}

  public record Nothing() implements Step {}

  public record Wait(String reason) implements Step {}

  public record AddLearner(int ordinal) implements Step {}

  public record GrowStatefulSet(int replicas) implements Step {}

  public record Promote(long id, int ordinal) implements Step {}

  public record MoveLeader(int fromOrdinal, long toId, int toOrdinal) implements Step {}

  public record RemoveMember(long id, int ordinal, String why) implements Step {}

  public record ShrinkStatefulSet(int replicas) implements Step {}

  public Step next(Observed o, Instant now) {
    List<Member> voters = o.members().stream().filter(m -> !m.learner()).toList();
    Optional<Member> learner = o.members().stream().filter(Member::learner).findFirst();
    long healthyVoters = voters.stream().filter(Member::healthy).count();

    if (learner.isPresent()) {
      Member l = learner.get();
      if (l.ordinal() >= o.desired()) {
        return new RemoveMember(l.id(), l.ordinal(), "the spec no longer asks for member " + l.ordinal());
      }
      if (o.learnerSince() != null && o.learnerSince().plus(LEARNER_DEADLINE).isBefore(now)) {
        return new RemoveMember(l.id(), l.ordinal(), "learner " + l.ordinal() + " did not catch up within "
            + LEARNER_DEADLINE.toMinutes() + " minutes");
      }
      if (o.statefulSetReplicas() <= l.ordinal()) {
        return new GrowStatefulSet(l.ordinal() + 1);
      }
      if (!l.started() || !l.healthy()) {
        return new Wait("learner " + l.ordinal() + " is starting");
      }
      return new Promote(l.id(), l.ordinal());
    }

    int n = voters.size();
    if (o.statefulSetReplicas() > n) {
      // Pods exist for ordinals that are no longer members (removed, or an add undone): shrink first, so a
      // removed member's pod never lingers and its volume is handled before the next change.
      return new ShrinkStatefulSet(n);
    }
    if (n < o.desired()) {
      if (healthyVoters < n) return new Wait((n - healthyVoters) + " member(s) unhealthy: no membership change now");
      int next = voters.stream().mapToInt(Member::ordinal).max().orElse(-1) + 1;
      return new AddLearner(next);
    }
    if (n > o.desired()) {
      // Two members: the removal needs both to commit it. Only when both are healthy (and leadership sits
      // on the member that stays, below) — otherwise the cluster could be left unable to make progress.
      if (n == 2 && healthyVoters < 2) {
        return new Wait("not removing a member from a two-member cluster while one is unhealthy");
      }
      Member target = voters.stream().max(Comparator.comparingInt(Member::ordinal)).orElseThrow();
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
      return new RemoveMember(target.id(), target.ordinal(), "scaling in to " + o.desired());
    }
    return new Nothing();
  }
}
