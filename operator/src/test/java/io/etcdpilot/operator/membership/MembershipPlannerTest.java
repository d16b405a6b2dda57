package io.etcdpilot.operator.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.membership.MembershipPlanner.Member;
import io.etcdpilot.operator.membership.MembershipPlanner.Observed;
import io.etcdpilot.operator.membership.MembershipPlanner.Slot;
import io.etcdpilot.operator.plan.Step;
import io.etcdpilot.operator.plan.Step.Cause;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    assertThat(next(3, 3, voters(3), 0)).isInstanceOf(Step.Nothing.class);
  }

  @Test
  void scaleOutAddsALearnerBeforeAnyPodStarts() {
    assertThat(next(5, 3, voters(3), 0)).isEqualTo(new Step.AddLearner(3));
  }

  @Test
  void afterAddingTheLearnerTheStatefulSetGrows() {
    // Also the state an operator killed right after addMember comes back to: no second add.
    assertThat(next(5, 3, with(voters(3), new Member(200, 3, true, false, false)), 0))
        .isEqualTo(new Step.GrowStatefulSet(4));
  }

  @Test
  void learnerWaitsForItsPodThenIsPromoted() {
    assertThat(next(5, 4, with(voters(3), new Member(200, 3, true, false, false)), 0))
        .isInstanceOf(Step.Wait.class);
    assertThat(next(5, 4, with(voters(3), new Member(200, 3, true, true, true)), 0))
        .isEqualTo(new Step.Promote(200, 3));
  }

  @Test
  void afterPromotionTheNextLearnerIsAdded() {
    assertThat(next(5, 4, voters(4), 0)).isEqualTo(new Step.AddLearner(4));
  }

  @Test
  void learnerPastTheDeadlineIsRemoved() {
    Step s = planner.next(new Observed(5, 4, with(voters(3), new Member(200, 3, true, false, false)), 0,
        now.minus(MembershipPlanner.DEFAULT_LEARNER_DEADLINE).minusSeconds(1)), now);
    assertThat(s).isInstanceOfSatisfying(Step.RemoveMember.class, r -> {
      assertThat(r.id()).isEqualTo(200);
      assertThat(r.cause()).isEqualTo(Cause.LEARNER_FAILED);
      assertThat(r.why()).contains("did not catch up within 5m");
    });
  }

  @Test
  void reversedScaleOutRemovesTheLearnerThenShrinks() {
    assertThat(next(3, 4, with(voters(3), new Member(200, 3, true, true, true)), 0))
        .isInstanceOf(Step.RemoveMember.class);
    assertThat(next(3, 4, voters(3), 0)).isEqualTo(new Step.ShrinkStatefulSet(3));
  }

  @Test
  void scaleInRemovesHighestOrdinalFromEtcdBeforeShrinking() {
    assertThat(next(3, 5, voters(5), 0)).isEqualTo(new Step.RemoveMember(104, 4, Cause.SCALE_IN, "scaling in to 3"));
    // Operator killed right after removeMember: etcd has 4, the StatefulSet 5 → shrink, no second removal.
    assertThat(next(3, 5, voters(4), 0)).isEqualTo(new Step.ShrinkStatefulSet(4));
  }

  @Test
  void leaderIsMovedAwayBeforeItsRemoval() {
    assertThat(next(3, 5, voters(5), 4)).isEqualTo(new Step.MoveLeader(4, 100, 0));
  }

  @Test
  void neverBelowQuorumAndFromTwoMembersOnlyWhenBothHealthy() {
    List<Member> sick = voters(3);
    sick.set(0, new Member(100, 0, false, true, false));
    assertThat(next(1, 3, sick, 1)).isInstanceOfSatisfying(Step.Wait.class,
        w -> assertThat(w.reason()).contains("below quorum"));
    List<Member> pairOneSick = voters(2);
    pairOneSick.set(0, new Member(100, 0, false, true, false));
    assertThat(next(1, 2, pairOneSick, 1)).isInstanceOfSatisfying(Step.Wait.class,
        w -> assertThat(w.reason()).contains("two-member"));
    // Both healthy (3 → 1 passes through 2): leadership first moves to the member that stays, then removal.
    assertThat(next(1, 2, voters(2), 1)).isEqualTo(new Step.MoveLeader(1, 100, 0));
    assertThat(next(1, 2, voters(2), 0)).isEqualTo(new Step.RemoveMember(101, 1, Cause.SCALE_IN, "scaling in to 1"));
  }

  @Test
  void noAddWhileAVoterIsUnhealthy() {
    List<Member> sick = voters(3);
    sick.set(2, new Member(102, 2, false, true, false));
    assertThat(next(5, 3, sick, 0)).isInstanceOf(Step.Wait.class);
  }

  // ---- replacement of a member whose data is gone ----

  /** Voters 0..n-1, each volume labelled with its own member; {@code sick} lost its data. */
  static Map<Integer, Slot> slots(int n, Map<Integer, Slot> overrides) {
    Map<Integer, Slot> m = new java.util.HashMap<>();
    for (int i = 0; i < n; i++) m.put(i, Slot.healthy(i, 100 + i));
    m.putAll(overrides);
    return m;
  }

  Step next(int desired, int sts, List<Member> members, int leader, Map<Integer, Slot> slots) {
    return planner.next(new Observed(desired, sts, members, leader, now.minusSeconds(10), slots, null), now);
  }

  static List<Member> without(List<Member> base, int ordinal) {
    return base.stream().filter(m -> m.ordinal() != ordinal).toList();
  }

  @Test
  void memberThatLostItsDataIsRemovedThenAddedBackAsALearnerOnAWipedVolume() {
    List<Member> sick = new ArrayList<>(voters(3));
    sick.set(1, new Member(101, 1, false, true, false));
    Map<Integer, Slot> lost = slots(3, Map.of(1, new Slot(1, 101L, true, now.minusSeconds(20))));
    // 1. Remove it first: the quorum never grows while a member is missing.
    assertThat(next(3, 3, sick, 0, lost)).isInstanceOfSatisfying(Step.RemoveMember.class, r -> {
      assertThat(r.id()).isEqualTo(101);
      assertThat(r.cause()).isEqualTo(Cause.REPLACE);
      assertThat(r.why()).contains("lost its data");
    });
    // 2. Removed (also where an operator killed right after removeMember resumes): the volume still holds the
    //    removed member's data, so it is wiped before anything can join on it — not a shrink, member 2 stays.
    assertThat(next(3, 3, without(voters(3), 1), 0, lost)).isEqualTo(new Step.WipeVolume(1, 101));
    // 3. Fresh volume (no owner): the hole is re-added as a learner.
    Map<Integer, Slot> fresh = slots(3, Map.of(1, new Slot(1, null, false, now)));
    assertThat(next(3, 3, without(voters(3), 1), 0, fresh)).isEqualTo(new Step.AddLearner(1));
    // A learner found on a stale volume (crash between the steps) still gets it wiped.
    List<Member> withLearner = with(without(voters(3), 1), new Member(201, 1, true, false, false));
    assertThat(next(3, 3, withLearner, 0, lost)).isEqualTo(new Step.WipeVolume(1, 101));
    // 4. Then: wait for it to start, then promote.
    assertThat(next(3, 3, withLearner, 0, fresh)).isInstanceOf(Step.Wait.class);
    List<Member> caughtUp = with(without(voters(3), 1), new Member(201, 1, true, true, true));
    assertThat(next(3, 3, caughtUp, 0, slots(3, Map.of(1, Slot.healthy(1, 201)))))
        .isEqualTo(new Step.Promote(201, 1));
  }

  @Test
  void aMemberWhoseDataDifferIsReplacedAtOnceWhetherItAnswersOrNot() {
    // CORRUPT decided for member 2: it answers, and still goes (the leader's leadership first when it leads).
    List<Member> corrupt = new ArrayList<>(voters(3));
    corrupt.set(2, new Member(102, 2, false, true, true, true));
    assertThat(next(3, 3, corrupt, 0, slots(3, Map.of()))).isInstanceOfSatisfying(Step.RemoveMember.class, r -> {
      assertThat(r.id()).isEqualTo(102);
      assertThat(r.cause()).isEqualTo(Cause.REPLACE);
      assertThat(r.why()).contains("differ", "CORRUPT");
    });
    assertThat(next(3, 3, corrupt, 2, slots(3, Map.of()))).isInstanceOf(Step.MoveLeader.class);
    // etcd's initial check refused to start member 1: replaced without waiting for the failed-member deadline.
    List<Member> down = new ArrayList<>(voters(3));
    down.set(1, new Member(101, 1, false, true, false));
    Map<Integer, Slot> refused = slots(3, Map.of(1, new Slot(1, 101L, false, now.minusSeconds(20), false, null, null,
        true)));
    assertThat(next(3, 3, down, 0, refused)).isInstanceOfSatisfying(Step.RemoveMember.class, r ->
        assertThat(r.why()).contains("corruption check refused to start it"));
    // Never below quorum for it: with another member down, it waits.
    List<Member> twoDown = new ArrayList<>(down);
    twoDown.set(2, new Member(102, 2, false, true, false));
    assertThat(next(3, 3, twoDown, 0, refused)).isInstanceOf(Step.Wait.class);
  }

  @Test
  void aLearnerOnASlowDiskIsNotPromotedUntilItRecovers() {
    List<Member> slow = with(voters(3), new Member(103, 3, true, true, true, false, true));
    Step s = next(4, 4, slow, 0, slots(4, Map.of(3, Slot.healthy(3, 103))));
    assertThat(s).isInstanceOfSatisfying(Step.Wait.class, w -> assertThat(w.reason()).contains("disk is too slow"));
    List<Member> recovered = with(voters(3), new Member(103, 3, true, true, true, false, false));
    assertThat(next(4, 4, recovered, 0, slots(4, Map.of(3, Slot.healthy(3, 103))))).isEqualTo(new Step.Promote(103, 3));
  }

  @Test
  void unreachableMemberIsReplacedOnlyAfterTheDeadline() {
    List<Member> sick = new ArrayList<>(voters(3));
    sick.set(2, new Member(102, 2, false, true, false));
    Map<Integer, Slot> brief = slots(3, Map.of(2, new Slot(2, 102L, false, now.minusSeconds(60))));
    assertThat(next(3, 3, sick, 0, brief)).isInstanceOf(Step.Nothing.class);
    Map<Integer, Slot> long_ = slots(3, Map.of(2, new Slot(2, 102L, false,
        now.minus(MembershipPlanner.DEFAULT_FAILED_MEMBER_DEADLINE).minusSeconds(1))));
    assertThat(next(3, 3, sick, 0, long_)).isInstanceOfSatisfying(Step.RemoveMember.class,
        r -> assertThat(r.why()).contains("unreachable for more than 10m"));
    // The highest member, once removed, is shrunk away and added back through the usual scale-out path.
    assertThat(next(3, 3, without(voters(3), 2), 0, long_)).isEqualTo(new Step.ShrinkStatefulSet(2));
    // Its volume still holds its old data: wiped first, then the ordinal is added back as a learner.
    assertThat(next(3, 2, without(voters(3), 2), 0, long_)).isEqualTo(new Step.WipeVolume(2, 102));
    assertThat(next(3, 2, without(voters(3), 2), 0, slots(2, Map.of()))).as("claim 2 gone").isEqualTo(new Step.AddLearner(2));
  }

  @Test
  void replacementNeverRisksQuorum() {
    // Two of three lost: removing one would leave one healthy voter of two.
    List<Member> twoSick = new ArrayList<>(voters(3));
    twoSick.set(1, new Member(101, 1, false, true, false));
    twoSick.set(2, new Member(102, 2, false, true, false));
    Map<Integer, Slot> lost = slots(3, Map.of(1, new Slot(1, 101L, true, now), 2, new Slot(2, 102L, true, now)));
    assertThat(next(3, 3, twoSick, 0, lost)).isInstanceOfSatisfying(Step.Wait.class,
        w -> assertThat(w.reason()).contains("below quorum"));
    // Two members: cannot remove the lost one at all.
    List<Member> pair = new ArrayList<>(voters(2));
    pair.set(1, new Member(101, 1, false, true, false));
    assertThat(next(2, 2, pair, 0, slots(2, Map.of(1, new Slot(1, 101L, true, now)))))
        .isInstanceOfSatisfying(Step.Wait.class, w -> assertThat(w.reason()).contains("snapshot"));
    // Five members, two lost: both are removed before anything is added back.
    List<Member> five = new ArrayList<>(voters(5));
    five.set(1, new Member(101, 1, false, true, false));
    five.set(3, new Member(103, 3, false, true, false));
    Map<Integer, Slot> lost5 = slots(5, Map.of(1, new Slot(1, 101L, true, now), 3, new Slot(3, 103L, true, now)));
    assertThat(next(5, 5, five, 0, lost5)).isInstanceOfSatisfying(Step.RemoveMember.class,
        r -> assertThat(r.ordinal()).isEqualTo(1));
    assertThat(next(5, 5, without(five, 1), 0, lost5)).isInstanceOfSatisfying(Step.RemoveMember.class,
        r -> assertThat(r.ordinal()).isEqualTo(3));
  }

  @Test
  void retainedVolumeOfAnEarlierMemberIsWipedBeforeItsOrdinalIsReused() {
    // Scaled in with onScaleIn=Retain: the claim of ordinal 3 still names removed member 103. Wiped before the add.
    assertThat(next(4, 3, voters(3), 0, slots(3, Map.of(3, new Slot(3, 103L, false, null)))))
        .isEqualTo(new Step.WipeVolume(3, 103));
    List<Member> withLearner = with(voters(3), new Member(203, 3, true, false, false));
    assertThat(next(4, 3, withLearner, 0, slots(3, Map.of(3, new Slot(3, 103L, false, null)))))
        .isEqualTo(new Step.WipeVolume(3, 103));
    assertThat(next(4, 3, withLearner, 0, slots(3, Map.of()))).isEqualTo(new Step.GrowStatefulSet(4));
  }

  @Test
  void afterALearnerFailedNoMemberIsAddedUntilTheSpecChanges() {
    Step s = planner.next(new Observed(4, 3, voters(3), 0, now, slots(3, Map.of()), "demo-3 failed to join"), now);
    assertThat(s).isInstanceOfSatisfying(Step.Wait.class,
        w -> assertThat(w.reason()).contains("demo-3 failed to join").contains("change the spec"));
    // Scaling in is still allowed.
    assertThat(planner.next(new Observed(2, 3, voters(3), 0, now, slots(3, Map.of()), "demo-3 failed to join"), now))
        .isInstanceOf(Step.RemoveMember.class);
  }

  @Test
  void deadlinesAreSettings() {
    MembershipPlanner quick = new MembershipPlanner(java.time.Duration.ofSeconds(20), java.time.Duration.ofSeconds(30));
    Step s = quick.next(new Observed(4, 4, with(voters(3), new Member(200, 3, true, false, false)), 0,
        now.minusSeconds(21)), now);
    assertThat(s).isInstanceOfSatisfying(Step.RemoveMember.class,
        r -> assertThat(r.why()).contains("within 20s"));
  }

  @Test
  void aMemberThatIsNotOneOfOurPodsStopsMembershipChanges() {
    assertThat(next(5, 3, with(voters(3), new Member(999, -1, false, true, true)), 0))
        .isInstanceOfSatisfying(Step.Wait.class, w -> assertThat(w.reason()).contains("3e7"));
  }

  @Test
  void aVolumeWhosePodIsReadyAndServingIsNeverWiped() {
    // A member list that missed voter 1 (etcd 3.4, a lagging member answering) must not cost it its data: its pod
    // is Ready, so it serves, whatever the list says.
    Map<Integer, Slot> serving = slots(3, Map.of(1, new Slot(1, 101L, false, null, true, null, null)));
    assertThat(next(3, 3, without(voters(3), 1), 0, serving)).isInstanceOfSatisfying(Step.Wait.class,
        w -> assertThat(w.reason()).contains("Ready and serving"));
    List<Member> withLearner = with(without(voters(3), 1), new Member(201, 1, true, false, false));
    assertThat(next(3, 3, withLearner, 0, serving)).isInstanceOf(Step.Wait.class);
  }

  @Test
  void aLearnerWhosePodCannotStartIsRemovedAfterTheStartDeadlineNamingWhy() {
    String unschedulable = "pod demo-3 cannot be scheduled: 0/3 nodes are available: 3 node(s) didn't match pod"
        + " anti-affinity rules";
    List<Member> withLearner = with(voters(3), new Member(200, 3, true, false, false));
    Map<Integer, Slot> pending = slots(4, Map.of(3, new Slot(3, null, false, null, false, unschedulable,
        now.minusSeconds(30))));
    // Seconds in: a wait that says why, and lets other work go on meanwhile.
    assertThat(next(4, 4, withLearner, 0, pending)).isInstanceOfSatisfying(Step.Wait.class, w -> {
      assertThat(w.reason()).contains("0/3 nodes are available");
      assertThat(w.othersMayAct()).isTrue();
    });
    // Past the start deadline (2 minutes), long before the learner's own (5): removed, the scheduler's words as why.
    Map<Integer, Slot> stuck = slots(4, Map.of(3, new Slot(3, null, false, null, false, unschedulable,
        now.minus(MembershipPlanner.START_DEADLINE).minusSeconds(1))));
    assertThat(next(4, 4, withLearner, 0, stuck)).isInstanceOfSatisfying(Step.RemoveMember.class, r -> {
      assertThat(r.cause()).isEqualTo(Cause.LEARNER_FAILED);
      assertThat(r.why()).contains("didn't match pod anti-affinity rules");
    });
  }

  @Test
  void stoppedAddsLetOtherWorkGoOn() {
    Step w = planner.next(new Observed(4, 3, voters(3), 0, now, Map.of(), "demo-3 failed to join"), now);
    assertThat(w).isInstanceOfSatisfying(Step.Wait.class, x -> assertThat(x.othersMayAct()).isTrue());
  }
}
