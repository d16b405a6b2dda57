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
 * Every restart is checked against etcd's member list and the StatefulSet's ordinals (a member whose pod is missing
 * is down), never while another member is down, and never while no leader is agreed on (lag is unknown then).
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

  /**
   * @param pods the member pods that exist
   * @param expected the pods the StatefulSet should have (its ordinals): one that does not exist is a down member
   * @param leader the leader a majority agrees on; empty when there is none
   */
  public Step next(List<PodView> pods, List<String> expected, List<MemberView> members, String leader, Instant now) {
    List<PodView> outdated = pods.stream().filter(PodView::outdated).toList();
    if (outdated.isEmpty()) return new Step.Nothing();

    List<MemberView> voters = members.stream().filter(m -> !m.learner()).toList();
    if (voters.size() > 1 && leader.isEmpty()) {
      return new Step.Wait("no leader that a majority of the members agree on: no restart until there is one");
    }
    long healthyVoters = voters.stream().filter(MemberView::healthy).count();
    int quorum = voters.isEmpty() ? 1 : Quorum.of(voters.size());

    // An outdated member that etcd already counts as down (or that votes not at all) can restart without costing
    // anything more, provided every other voter is up (never two down at once). A pod that only fails its readiness
    // probe while etcd reaches it is up: restarting it costs a voter, so it takes the checks below.
    for (PodView p : outdated.stream().sorted(Comparator.comparingInt(PodView::ordinal).reversed()).toList()) {
      boolean down = member(members, p.name()).map(m -> m.learner() || !m.healthy()).orElse(true);
      if (down) {
        Optional<String> other = othersNotSettled(pods, expected, members, p.name(), now);
        if (other.isPresent()) return new Step.Wait(other.get());
        return new Step.RestartMember(p.name());
      }
    }

    Optional<String> unsettled = othersNotSettled(pods, expected, members, null, now);
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

  /**
   * Why the voters other than {@code except} are not all healthy and settled, if they are not. A voter without a pod,
   * or a StatefulSet ordinal without one (deleted, not yet recreated), is a member down; learners do not count.
   */
  private static Optional<String> othersNotSettled(List<PodView> pods, List<String> expected, List<MemberView> members,
      String except, Instant now) {
    List<String> existing = pods.stream().map(PodView::name).toList();
    List<String> learners = members.stream().filter(MemberView::learner).map(MemberView::name).toList();
    boolean unstartedMember = members.stream().anyMatch(m -> m.name().isEmpty());
    for (String name : expected) {
      if (name.equals(except) || existing.contains(name) || learners.contains(name)) continue;
      boolean voter = members.stream().anyMatch(m -> !m.learner() && m.name().equals(name));
      if (voter || !unstartedMember) return Optional.of("member " + name + " has no pod (it is down)");
    }
    for (MemberView m : members) {
      if (m.learner() || m.name().equals(except)) continue;
      Optional<PodView> p = pods.stream().filter(x -> x.name().equals(m.name())).findFirst();
      if (p.isEmpty()) return Optional.of("member " + m.name() + " has no pod (it is down)");
      if (!p.get().ready()) return Optional.of("member " + m.name() + " is not ready");
      if (p.get().readySince() != null && p.get().readySince().plus(MIN_UPTIME).isAfter(now)) {
        return Optional.of("member " + m.name() + " became ready less than " + MIN_UPTIME.toSeconds() + "s ago");
      }
      if (!m.healthy()) return Optional.of("member " + m.name() + " is not healthy in etcd");
    }
    return Optional.empty();
  }
}
