package io.etcdpilot.operator.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.membership.MembershipPlanner.Member;
import io.etcdpilot.operator.membership.MembershipPlanner.Observed;
import io.etcdpilot.operator.membership.MembershipPlanner.Step;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** "Observed state → next step", including states left half-done by a crash between two steps. */
class MembershipPlannerTest {
  final MembershipPlanner planner = new MembershipPlanner();
  final Instant now = Instant.parse("2026-11-24T12:00:00Z");

  static List<Member> voters(int n) {
    List<Member> m = new ArrayList<>();
    for (int i = 0; i < n; i++) m.add(new Member(100 + i, i, false, true, true));
    return m;
  }

  static List<Member> with(List<Member> base, Member extra) {
    List<Member> m = new ArrayList<>(base);
    m.add(extra);
    return m;
  }

  Step next(int desired, int sts, List<Member> members, int leader) {
    return planner.next(new Observed(desired, sts, members, leader, now.minusSeconds(10)), now);
  }

  @Test
  void steadyClusterNeedsNothing() {
    assertThat(next(3, 3, voters(3), 0)).isInstanceOf(MembershipPlanner.Nothing.class);
  }

  @Test
  void scaleOutAddsALearnerBeforeAnyPodStarts() {
    assertThat(next(5, 3, voters(3), 0)).isEqualTo(new MembershipPlanner.AddLearner(3));
  }

  @Test
  void afterAddingTheLearnerTheStatefulSetGrows() {
    // Also the state an operator killed right after addMember comes back to: no second add.
    assertThat(next(5, 3, with(voters(3), new Member(200, 3, true, false, false)), 0))
        .isEqualTo(new MembershipPlanner.GrowStatefulSet(4));
  }

  @Test
  void learnerWaitsForItsPodThenIsPromoted() {
    assertThat(next(5, 4, with(voters(3), new Member(200, 3, true, false, false)), 0))
        .isInstanceOf(MembershipPlanner.Wait.class);
    assertThat(next(5, 4, with(voters(3), new Member(200, 3, true, true, true)), 0))
        .isEqualTo(new MembershipPlanner.Promote(200, 3));
  }

  @Test
  void afterPromotionTheNextLearnerIsAdded() {
    assertThat(next(5, 4, voters(4), 0)).isEqualTo(new MembershipPlanner.AddLearner(4));
  }

  @Test
  void learnerPastTheDeadlineIsRemoved() {
    Step s = planner.next(new Observed(5, 4, with(voters(3), new Member(200, 3, true, false, false)), 0,
        now.minus(MembershipPlanner.LEARNER_DEADLINE).minusSeconds(1)), now);
    assertThat(s).isInstanceOfSatisfying(MembershipPlanner.RemoveMember.class, r -> {
      assertThat(r.id()).isEqualTo(200);
      assertThat(r.why()).contains("did not catch up");
    });
  }

  @Test
  void reversedScaleOutRemovesTheLearnerThenShrinks() {
    assertThat(next(3, 4, with(voters(3), new Member(200, 3, true, true, true)), 0))
        .isInstanceOf(MembershipPlanner.RemoveMember.class);
    assertThat(next(3, 4, voters(3), 0)).isEqualTo(new MembershipPlanner.ShrinkStatefulSet(3));
  }

  @Test
  void scaleInRemovesHighestOrdinalFromEtcdBeforeShrinking() {
    assertThat(next(3, 5, voters(5), 0)).isEqualTo(new MembershipPlanner.RemoveMember(104, 4, "scaling in to 3"));
    // Operator killed right after removeMember: etcd has 4, the StatefulSet 5 → shrink, no second removal.
    assertThat(next(3, 5, voters(4), 0)).isEqualTo(new MembershipPlanner.ShrinkStatefulSet(4));
  }

  @Test
  void leaderIsMovedAwayBeforeItsRemoval() {
    assertThat(next(3, 5, voters(5), 4)).isEqualTo(new MembershipPlanner.MoveLeader(4, 100, 0));
  }

  @Test
  void neverBelowQuorumAndFromTwoMembersOnlyWhenBothHealthy() {
    List<Member> sick = voters(3);
    sick.set(0, new Member(100, 0, false, true, false));
    assertThat(next(1, 3, sick, 1)).isInstanceOfSatisfying(MembershipPlanner.Wait.class,
        w -> assertThat(w.reason()).contains("below quorum"));
    List<Member> pairOneSick = voters(2);
    pairOneSick.set(0, new Member(100, 0, false, true, false));
    assertThat(next(1, 2, pairOneSick, 1)).isInstanceOfSatisfying(MembershipPlanner.Wait.class,
        w -> assertThat(w.reason()).contains("two-member"));
    // Both healthy (3 → 1 passes through 2): leadership first moves to the member that stays, then removal.
    assertThat(next(1, 2, voters(2), 1)).isEqualTo(new MembershipPlanner.MoveLeader(1, 100, 0));
    assertThat(next(1, 2, voters(2), 0)).isEqualTo(new MembershipPlanner.RemoveMember(101, 1, "scaling in to 1"));
  }

  @Test
  void noAddWhileAVoterIsUnhealthy() {
    List<Member> sick = voters(3);
    sick.set(2, new Member(102, 2, false, true, false));
    assertThat(next(5, 3, sick, 0)).isInstanceOf(MembershipPlanner.Wait.class);
  }
}
