package io.etcdpilot.operator.rollout;

import io.etcdpilot.operator.model.Quorum;
import io.etcdpilot.operator.plan.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Decides the next step of a rolling restart (pods whose template revision is outdated), one member at a
 * time and never below quorum: outdated members that are already down first, then followers (highest
 * ordinal first), the leader last and only after leadership moved to a healthy, caught-up follower.
 * Pure: the same observations give the same step.
 */
public final class RolloutPlanner {
  /** etcd counts a member as connected only after it has been active this long. */
  public static final Duration MIN_UPTIME = Duration.ofSeconds(5);
  /** A follower further behind the leader than this is not caught up. */
  public static final long MAX_RAFT_LAG = 1000;

  /** A member pod as the StatefulSet and the kubelet see it. */
  public record PodView(String name, int ordinal, boolean outdated, boolean ready, Instant readySince) {}

  /** A member as etcd sees it, by name. */
  public record MemberView(String name, long id, boolean healthy, boolean learner, long raftIndex) {}

  public Step next(List<PodView> pods, List<MemberView> members, String leader, Instant now) {
    List<PodView> outdated = pods.stream().filter(PodView::outdated).toList();
    if (outdated.isEmpty()) return new Step.Nothing();

    List<MemberView> voters = members.stream().filter(m -> !m.learner()).toList();
    long healthyVoters = voters.stream().filter(MemberView::healthy).count();
    int quorum = voters.isEmpty() ? 1 : Quorum.of(voters.size());

    // An outdated member that is already down can restart without costing anything more, provided every
    // other member is up (never two down at once).
    for (PodView p : outdated.stream().sorted(Comparator.comparingInt(PodView::ordinal).reversed()).toList()) {
      boolean down = !p.ready() || member(members, p.name()).map(m -> !m.healthy()).orElse(true);
      if (down) {
        Optional<String> other = othersNotSettled(pods, members, p.name(), now);
        if (other.isPresent()) return new Step.Wait(other.get());
        return new Step.RestartMember(p.name());
      }
    }

    Optional<String> unsettled = othersNotSettled(pods, members, null, now);
    if (unsettled.isPresent()) return new Step.Wait(unsettled.get());
    if (voters.size() > 1 && healthyVoters - 1 < quorum) {
      return new Step.Wait("restarting a member now would leave " + (healthyVoters - 1) + " of " + voters.size()
          + " voters, below quorum " + quorum);
    }
    long leaderIndex = member(members, leader).map(MemberView::raftIndex).orElse(0L);
    for (MemberView m : voters) {
      if (leaderIndex - m.raftIndex() > MAX_RAFT_LAG) {
        return new Step.Wait("member " + m.name() + " is " + (leaderIndex - m.raftIndex()) + " entries behind the leader");
      }
    }

    Optional<PodView> follower = outdated.stream().filter(p -> !p.name().equals(leader))
        .max(Comparator.comparingInt(PodView::ordinal));
    if (follower.isPresent()) return new Step.RestartMember(follower.get().name());

    // Only the leader is outdated: hand leadership to an updated, healthy voter first.
    if (voters.size() == 1) return new Step.RestartMember(leader);
    Optional<MemberView> successor = voters.stream()
        .filter(m -> !m.name().equals(leader) && m.healthy())
        .filter(m -> pods.stream().anyMatch(p -> p.name().equals(m.name()) && !p.outdated()))
        .max(Comparator.comparingLong(MemberView::raftIndex));
    if (successor.isEmpty()) return new Step.Wait("no healthy, updated follower to take over leadership from " + leader);
    return new Step.MoveLeaderForRestart(leader, successor.get().name(), successor.get().id());
  }

  private static Optional<MemberView> member(List<MemberView> members, String name) {
    return members.stream().filter(m -> m.name().equals(name)).findFirst();
  }

  /** Why the members other than {@code except} are not all healthy and settled, if they are not. */
  private static Optional<String> othersNotSettled(List<PodView> pods, List<MemberView> members, String except, Instant now) {
    for (PodView p : pods) {
      if (p.name().equals(except)) continue;
      if (!p.ready()) return Optional.of("member " + p.name() + " is not ready");
      if (p.readySince() != null && p.readySince().plus(MIN_UPTIME).isAfter(now)) {
        return Optional.of("member " + p.name() + " became ready less than " + MIN_UPTIME.toSeconds() + "s ago");
      }
      Optional<MemberView> m = member(members, p.name());
      if (m.isEmpty() || !m.get().healthy()) return Optional.of("member " + p.name() + " is not healthy in etcd");
    }
    return Optional.empty();
  }
}
