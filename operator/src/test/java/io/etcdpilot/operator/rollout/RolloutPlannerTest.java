package io.etcdpilot.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.plan.Step;
import io.etcdpilot.operator.rollout.RolloutPlanner.MemberView;
import io.etcdpilot.operator.rollout.RolloutPlanner.PodView;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutPlannerTest {
  final RolloutPlanner planner = new RolloutPlanner();
  final Instant now = Instant.parse("2026-11-24T10:00:00Z");
  final Instant longAgo = now.minusSeconds(60);

  PodView pod(int i, boolean outdated, boolean ready) {
    return new PodView("e-" + i, i, outdated, ready, ready ? longAgo : null);
  }

  MemberView member(int i, boolean healthy, long index) {
    return new MemberView("e-" + i, 100 + i, healthy, false, index);
  }

  /** The planner with the StatefulSet's ordinals those of the pods given (none missing). */
  Step next(List<PodView> pods, List<MemberView> members, String leader, Instant now) {
    return planner.next(pods, pods.stream().map(PodView::name).toList(), members, leader, now);
  }

  List<MemberView> healthy3() {
    return List.of(member(0, true, 500), member(1, true, 500), member(2, true, 500));
  }

  @Test
  void nothingOutdatedIsDone() {
    assertThat(next(List.of(pod(0, false, true), pod(1, false, true), pod(2, false, true)), healthy3(), "e-0", now))
        .isInstanceOf(Step.Nothing.class);
  }

  @Test
  void followersFirstHighestOrdinalFirst() {
    var step = next(List.of(pod(0, true, true), pod(1, true, true), pod(2, true, true)), healthy3(), "e-2", now);
    assertThat(step).isEqualTo(new Step.RestartMember("e-1"));
  }

  @Test
  void leaderLastAfterMovingLeadershipToAnUpdatedFollower() {
    var step = next(List.of(pod(0, true, true), pod(1, false, true), pod(2, false, true)),
        List.of(member(0, true, 500), member(1, true, 499), member(2, true, 500)), "e-0", now);
    assertThat(step).isEqualTo(new Step.MoveLeaderForRestart("e-0", "e-2", 102));
    var after = next(List.of(pod(0, true, true), pod(1, false, true), pod(2, false, true)), healthy3(), "e-2", now);
    assertThat(after).isEqualTo(new Step.RestartMember("e-0"));
  }

  @Test
  void unhealthyOutdatedMemberGoesFirst() {
    var step = next(List.of(pod(0, true, true), pod(1, true, false), pod(2, true, true)),
        List.of(member(0, true, 500), member(1, false, 0), member(2, true, 500)), "e-0", now);
    assertThat(step).isEqualTo(new Step.RestartMember("e-1"));
  }

  @Test
  void neverASecondMemberWhileOneIsDown() {
    var step = next(List.of(pod(0, true, true), pod(1, false, false), pod(2, true, true)),
        List.of(member(0, true, 500), member(1, false, 0), member(2, true, 500)), "e-0", now);
    assertThat(step).isInstanceOfSatisfying(Step.Wait.class, w -> assertThat(w.reason()).contains("e-1"));
  }

  @Test
  void waitsUntilTheLastRestartedMemberHasBeenUpFiveSeconds() {
    PodView fresh = new PodView("e-2", 2, false, true, now.minusSeconds(2));
    var step = next(List.of(pod(0, true, true), pod(1, true, true), fresh), healthy3(), "e-0", now);
    assertThat(step).isInstanceOfSatisfying(Step.Wait.class, w -> assertThat(w.reason()).contains("e-2").contains("5s"));
  }

  @Test
  void waitsForLaggingFollowers() {
    var step = next(List.of(pod(0, true, true), pod(1, true, true), pod(2, true, true)),
        List.of(member(0, true, 50_000), member(1, true, 10), member(2, true, 50_000)), "e-0", now);
    assertThat(step).isInstanceOfSatisfying(Step.Wait.class, w -> assertThat(w.reason()).contains("behind"));
  }

  @Test
  void twoMemberClusterNeverRestartsAHealthyMember() {
    var step = next(List.of(pod(0, true, true), pod(1, true, true)),
        List.of(member(0, true, 500), member(1, true, 500)), "e-0", now);
    assertThat(step).isInstanceOfSatisfying(Step.Wait.class, w -> assertThat(w.reason()).contains("below quorum"));
  }

  @Test
  void singleMemberRestartsInPlace() {
    var step = next(List.of(pod(0, true, true)), List.of(member(0, true, 5)), "e-0", now);
    assertThat(step).isEqualTo(new Step.RestartMember("e-0"));
  }

  // Rows for the races a rolling restart must not lose.

  @Test
  void aVoterWhosePodIsMissingIsDownSoNoOtherRestarts() {
    // e-1 was just restarted: its pod is deleted and its successor not in the cache yet; e-2 briefly fails its probe.
    List<PodView> pods = List.of(pod(0, true, true), pod(2, true, false));
    var step = planner.next(pods, List.of("e-0", "e-1", "e-2"), healthy3(), "e-0", now);
    assertThat(step).isInstanceOfSatisfying(Step.Wait.class, w -> assertThat(w.reason()).contains("e-1").contains("no pod"));
  }

  @Test
  void anOrdinalWithoutAPodIsDownEvenBeforeEtcdNamesIt() {
    var step = planner.next(List.of(pod(0, true, true), pod(1, true, true)), List.of("e-0", "e-1", "e-2"),
        List.of(member(0, true, 500), member(1, true, 500)), "e-0", now);
    assertThat(step).isInstanceOfSatisfying(Step.Wait.class, w -> assertThat(w.reason()).contains("e-2"));
  }

  @Test
  void noRestartWhileNoLeaderIsAgreedOn() {
    var step = next(List.of(pod(0, true, true), pod(1, true, true), pod(2, true, true)), healthy3(), "", now);
    assertThat(step).isInstanceOfSatisfying(Step.Wait.class, w -> assertThat(w.reason()).contains("leader"));
    var downFirst = next(List.of(pod(0, true, true), pod(1, true, false), pod(2, true, true)),
        List.of(member(0, true, 500), member(1, false, 0), member(2, true, 500)), "", now);
    assertThat(downFirst).as("not even the member that is down").isInstanceOf(Step.Wait.class);
  }

  @Test
  void twoDownMeansNoRestartAtAll() {
    var step = next(List.of(pod(0, true, true), pod(1, true, false), pod(2, true, false)),
        List.of(member(0, true, 500), member(1, false, 0), member(2, false, 0)), "e-0", now);
    assertThat(step).isInstanceOf(Step.Wait.class);
  }

  @Test
  void aPodFailingItsProbeWhileEtcdReachesItIsNotRestartedAsIfDown() {
    // e-1 answers etcd (a voter that counts) but its readiness probe fails: restarting it would cost a voter.
    var step = next(List.of(pod(0, true, true), pod(1, true, false), pod(2, true, true)), healthy3(), "e-0", now);
    assertThat(step).isInstanceOfSatisfying(Step.Wait.class, w -> assertThat(w.reason()).contains("e-1"));
  }

  @Test
  void aLearnersPodDoesNotHoldTheVotersBack() {
    List<MemberView> withLearner = List.of(member(0, true, 500), member(1, true, 500), member(2, true, 500),
        new MemberView("e-3", 103, false, true, 0));
    var step = planner.next(List.of(pod(0, true, true), pod(1, true, true), pod(2, true, true), pod(3, false, false)),
        List.of("e-0", "e-1", "e-2", "e-3"), withLearner, "e-0", now);
    assertThat(step).isEqualTo(new Step.RestartMember("e-2"));
  }
}
