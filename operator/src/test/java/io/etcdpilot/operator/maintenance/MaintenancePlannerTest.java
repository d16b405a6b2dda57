package io.etcdpilot.operator.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.plan.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MaintenancePlannerTest {
  static final long MIB = 1 << 20;
  static final long QUOTA = 2048 * MIB;
  final Instant now = Instant.parse("2026-12-06T12:00:00Z");
  final MaintenancePlanner planner = new MaintenancePlanner();
  final Map<String, MaintenancePlanner.History> history = new HashMap<>();

  /** demo-i with {@code sizeMib} on disk and {@code inUseMib} in use, raft index 1000 + i. */
  static MaintenancePlanner.Member member(int i, long sizeMib, long inUseMib) {
    return new MaintenancePlanner.Member("demo-" + i, 100 + i, false, true, sizeMib * MIB, inUseMib * MIB, 1000 + i);
  }

  MaintenancePlanner.Plan plan(List<MaintenancePlanner.Member> members, String leader) {
    return plan(members, leader, null, MaintenancePlanner.Policy.defaults(), null);
  }

  MaintenancePlanner.Plan plan(List<MaintenancePlanner.Member> members, String leader, MaintenancePlanner.NoSpace noSpace,
      MaintenancePlanner.Policy policy, String snapshotFrom) {
    return planner.next(new MaintenancePlanner.Inputs(members, leader, QUOTA, noSpace, policy, history, snapshotFrom, now));
  }

  @Test
  void followersByWhatTheyGiveBackThenTheLeaderAfterItsLeadershipMoved() {
    List<MaintenancePlanner.Member> all = List.of(member(0, 1000, 300), member(1, 1000, 400), member(2, 1000, 200));
    // demo-2 gives back most but leads: demo-0 (700 MiB) before demo-1 (600 MiB).
    assertThat(plan(all, "demo-2").step()).isInstanceOfSatisfying(Step.Defragment.class,
        d -> assertThat(d.member()).isEqualTo("demo-0"));
    history.put("demo-0", new MaintenancePlanner.History(now, 0, null));
    assertThat(plan(all, "demo-2").step()).isInstanceOfSatisfying(Step.Defragment.class,
        d -> assertThat(d.member()).isEqualTo("demo-1"));
    history.put("demo-1", new MaintenancePlanner.History(now, 0, null));
    // The leader last, and first its leadership goes to the follower furthest ahead.
    assertThat(plan(all, "demo-2").step()).isEqualTo(new Step.MoveLeaderForDefrag("demo-2", "demo-1", 101));
    assertThat(plan(all, "demo-1").step()).isInstanceOfSatisfying(Step.Defragment.class,
        d -> assertThat(d.member()).isEqualTo("demo-2"));
    history.put("demo-2", new MaintenancePlanner.History(now, 0, null));
    assertThat(plan(all, "demo-1").step()).isEqualTo(new Step.Nothing());
  }

  @Test
  void aSingleMemberIsDefragmentedWhereItIs() {
    assertThat(plan(List.of(member(0, 1000, 100)), "demo-0").step()).isInstanceOf(Step.Defragment.class);
  }

  @Test
  void onlyWhereTheRuleHolds() {
    assertThat(plan(List.of(member(0, 1000, 900), member(1, 120, 60), member(2, 1000, 990)), "demo-0").step())
        .isEqualTo(new Step.Nothing());
  }

  @Test
  void notAgainBeforeMinInterval() {
    List<MaintenancePlanner.Member> all = List.of(member(0, 1000, 100), member(1, 100, 100), member(2, 100, 100));
    history.put("demo-0", new MaintenancePlanner.History(now.minus(Duration.ofMinutes(59)), 0, null));
    assertThat(plan(all, "demo-1").step()).isEqualTo(new Step.Nothing());
    history.put("demo-0", new MaintenancePlanner.History(now.minus(Duration.ofMinutes(60)), 0, null));
    assertThat(plan(all, "demo-1").step()).isInstanceOf(Step.Defragment.class);
    MaintenancePlanner.Policy daily = new MaintenancePlanner.Policy(true, DefragRule.defaultRule(), Duration.ofHours(24),
        DefragWindow.always());
    assertThat(plan(all, "demo-1", null, daily, null).step()).isEqualTo(new Step.Nothing());
  }

  @Test
  void gates() {
    MaintenancePlanner.Member down = new MaintenancePlanner.Member("demo-2", 102, false, false, 0, 0, 0);
    assertThat(plan(List.of(member(0, 1000, 100), member(1, 1000, 100), down), "demo-0").step())
        .as("a voter down").isEqualTo(new Step.Nothing());
    MaintenancePlanner.Member learner = new MaintenancePlanner.Member("demo-3", 103, true, true, 10 * MIB, 10 * MIB, 900);
    assertThat(plan(List.of(member(0, 1000, 100), member(1, 1000, 100), member(2, 1000, 100), learner), "demo-0")
        .step()).as("a learner joining").isEqualTo(new Step.Nothing());
    MaintenancePlanner.Policy off = new MaintenancePlanner.Policy(false, DefragRule.defaultRule(), Duration.ofHours(1),
        DefragWindow.always());
    assertThat(plan(List.of(member(0, 1000, 100)), "demo-0", null, off, null).step()).as("turned off")
        .isEqualTo(new Step.Nothing());
    assertThat(plan(List.of(member(0, 1000, 100), member(1, 900, 100), member(2, 10, 10)), "demo-2", null,
        MaintenancePlanner.Policy.defaults(), "demo-0").step()).as("not the member a snapshot streams from")
        .isInstanceOfSatisfying(Step.Defragment.class, d -> assertThat(d.member()).isEqualTo("demo-1"));
  }

  @Test
  void onlyWithinTheWindow() {
    var spec = new io.etcdpilot.operator.api.v1alpha1.MaintenanceWindow();
    spec.setStart("23:00");
    spec.setDuration("2h");
    spec.setTimeZone("Europe/Berlin");
    MaintenancePlanner.Policy nightly = new MaintenancePlanner.Policy(true, DefragRule.defaultRule(), Duration.ofHours(1),
        DefragWindow.of(spec));
    List<MaintenancePlanner.Member> all = List.of(member(0, 1000, 100));
    assertThat(plan(all, "demo-0", null, nightly, null).step()).as("13:00 in Berlin").isEqualTo(new Step.Nothing());
    MaintenancePlanner.Plan atNight = planner.next(new MaintenancePlanner.Inputs(all, "demo-0", QUOTA, null, nightly,
        history, null, Instant.parse("2026-12-06T23:30:00Z")));
    assertThat(atNight.step()).as("00:30 in Berlin, in the window that opened the day before")
        .isInstanceOf(Step.Defragment.class);
  }

  @Test
  void aFailureIsRetriedAfterABackOffAndThreeHoldEveryOtherMember() {
    List<MaintenancePlanner.Member> all = List.of(member(0, 1000, 100), member(1, 1000, 200), member(2, 10, 10));
    history.put("demo-0", new MaintenancePlanner.History(null, 1, now.minusSeconds(30)));
    assertThat(plan(all, "demo-2").step()).as("demo-0 waits a minute; demo-1 meanwhile")
        .isInstanceOfSatisfying(Step.Defragment.class, d -> assertThat(d.member()).isEqualTo("demo-1"));
    history.put("demo-0", new MaintenancePlanner.History(null, 3, now.minusSeconds(200)));
    MaintenancePlanner.Plan held = plan(all, "demo-2");
    assertThat(held.step()).as("4 minutes after the third failure").isEqualTo(new Step.Nothing());
    assertThat(held.finding()).contains("demo-0", "3 times");
    history.put("demo-0", new MaintenancePlanner.History(null, 3, now.minusSeconds(240)));
    assertThat(plan(all, "demo-2").step()).isInstanceOfSatisfying(Step.Defragment.class,
        d -> assertThat(d.member()).isEqualTo("demo-0"));
    assertThat(MaintenancePlanner.backoff(1, Duration.ofHours(1))).isEqualTo(Duration.ofMinutes(1));
    assertThat(MaintenancePlanner.backoff(3, Duration.ofHours(1))).isEqualTo(Duration.ofMinutes(4));
    assertThat(MaintenancePlanner.backoff(10, Duration.ofHours(1))).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void aRuleThatFailsIsReportedNotActedOn() throws Exception {
    MaintenancePlanner.Policy failing = new MaintenancePlanner.Policy(true,
        DefragRule.of("dbSize * 9223372036854775807 > 0"), Duration.ofHours(1), DefragWindow.always());
    MaintenancePlanner.Plan p = plan(List.of(member(0, 1000, 100)), "demo-0", null, failing, null);
    assertThat(p.step()).isEqualTo(new Step.Nothing());
    assertThat(p.finding()).contains("spec.maintenance.defrag.rule");
  }

  @Test
  void noSpaceCompactsThenDefragmentsEveryMemberThenDisarmsBelowNinetyPercent() {
    Instant detected = now.minusSeconds(60);
    List<MaintenancePlanner.Member> full = List.of(member(0, 2048, 2000), member(1, 2048, 2000), member(2, 2048, 2000));
    MaintenancePlanner.Policy off = new MaintenancePlanner.Policy(false, DefragRule.defaultRule(), Duration.ofHours(1),
        DefragWindow.always());
    assertThat(plan(full, "demo-1", new MaintenancePlanner.NoSpace(detected, null), off, null).step())
        .as("compaction first, whatever the policy").isEqualTo(new Step.Compact());
    Instant compacted = now.minusSeconds(50);
    MaintenancePlanner.NoSpace alarm = new MaintenancePlanner.NoSpace(detected, compacted);
    List<MaintenancePlanner.Member> freed = List.of(member(0, 2048, 300), member(1, 2048, 300), member(2, 2048, 300));
    // A defragmentation done before the compaction (an hour ago, say) does not count; minInterval does not apply.
    history.put("demo-0", new MaintenancePlanner.History(now.minusSeconds(100), 0, null));
    assertThat(plan(freed, "demo-1", alarm, off, null).step()).isInstanceOfSatisfying(Step.Defragment.class,
        d -> assertThat(d.member()).isEqualTo("demo-0"));
    history.put("demo-0", new MaintenancePlanner.History(now, 0, null));
    history.put("demo-2", new MaintenancePlanner.History(now, 0, null));
    assertThat(plan(freed, "demo-1", alarm, off, null).step()).isEqualTo(new Step.MoveLeaderForDefrag("demo-1", "demo-2", 102));
    history.put("demo-1", new MaintenancePlanner.History(now, 0, null));
    List<MaintenancePlanner.Member> small = List.of(member(0, 310, 300), member(1, 310, 300), member(2, 1844, 300));
    assertThat(plan(small, "demo-0", alarm, off, null).step()).as("demo-2 still at 90 %").isInstanceOf(Step.Wait.class);
    List<MaintenancePlanner.Member> done = List.of(member(0, 310, 300), member(1, 310, 300), member(2, 1843, 300));
    assertThat(plan(done, "demo-0", alarm, off, null).step()).isEqualTo(new Step.DisarmNoSpace());
  }

  @Test
  void noSpaceWithLiveDataAboveTheQuotaSaysWhatToDoInsteadOfDisarming() {
    MaintenancePlanner.NoSpace alarm = new MaintenancePlanner.NoSpace(now.minusSeconds(60), now.minusSeconds(50));
    for (int i = 0; i < 3; i++) history.put("demo-" + i, new MaintenancePlanner.History(now, 0, null));
    List<MaintenancePlanner.Member> live = List.of(member(0, 1950, 1945), member(1, 1950, 1945), member(2, 1950, 1945));
    MaintenancePlanner.Plan p = plan(live, "demo-0", alarm, MaintenancePlanner.Policy.defaults(), null);
    assertThat(p.step()).isInstanceOf(Step.Wait.class);
    assertThat(p.finding()).contains("live data 1945.0 MiB", "2048.0 MiB quota", "spec.etcd.quotaBackendBytes",
        "spec.storage.size");
    // Keys deleted since (a new revision past the compaction's): compact and go round once more, not within a minute.
    MaintenancePlanner.NoSpace at100 = new MaintenancePlanner.NoSpace(now.minusSeconds(60), now.minusSeconds(50), 100);
    assertThat(next(live, at100, 100, now).step()).as("nothing deleted").isInstanceOf(Step.Wait.class);
    assertThat(next(live, at100, 105, now).step()).as("within a minute").isInstanceOf(Step.Wait.class);
    assertThat(next(live, at100, 105, now.plusSeconds(10)).step()).isEqualTo(new Step.Compact());
  }

  MaintenancePlanner.Plan next(List<MaintenancePlanner.Member> members, MaintenancePlanner.NoSpace alarm, long revision,
      Instant at) {
    return planner.next(new MaintenancePlanner.Inputs(members, "demo-0", QUOTA, alarm,
        MaintenancePlanner.Policy.defaults(), history, null, revision, at));
  }


  @Test
  void noSpaceWaitsForEveryVoterAndRetriesAFailedDefragmentation() {
    MaintenancePlanner.NoSpace alarm = new MaintenancePlanner.NoSpace(now.minusSeconds(60), now.minusSeconds(50));
    MaintenancePlanner.Member down = new MaintenancePlanner.Member("demo-2", 102, false, false, 0, 0, 0);
    assertThat(plan(List.of(member(0, 2048, 100), member(1, 2048, 100), down), "demo-0", alarm,
        MaintenancePlanner.Policy.defaults(), null).step()).isInstanceOf(Step.Wait.class);
    history.put("demo-0", new MaintenancePlanner.History(null, 1, now.minusSeconds(10)));
    history.put("demo-1", new MaintenancePlanner.History(now, 0, null));
    history.put("demo-2", new MaintenancePlanner.History(now, 0, null));
    List<MaintenancePlanner.Member> small = List.of(member(0, 2048, 100), member(1, 110, 100), member(2, 110, 100));
    assertThat(plan(small, "demo-1", alarm, MaintenancePlanner.Policy.defaults(), null).step())
        .as("demo-0 failed 10 s ago: no disarm while it is above 90 %").isInstanceOfSatisfying(Step.Wait.class,
            w -> assertThat(w.reason()).contains("back-off"));
  }

  MaintenancePlanner.Plan withGrowth(List<MaintenancePlanner.Member> members, MaintenancePlanner.NoSpace alarm,
      MaintenancePlanner.Growth growth) {
    return planner.next(new MaintenancePlanner.Inputs(members, "demo-0", QUOTA, alarm,
        MaintenancePlanner.Policy.defaults(), history, null, 0, growth, now));
  }

  @Test
  void liveDataAboveTheThresholdAfterDefragmentationGrowsTheVolumesOneStep() {
    MaintenancePlanner.Growth growth = new MaintenancePlanner.Growth(70, "2Gi", "1Gi", "4Gi", false);
    // 1500 MiB of 2048 in use (73 %), little to give back: grow.
    List<MaintenancePlanner.Member> crowded = List.of(member(0, 1550, 1500), member(1, 1550, 1500), member(2, 1550, 1500));
    assertThat(withGrowth(crowded, null, growth).step()).isInstanceOfSatisfying(Step.GrowVolumes.class, g -> {
      assertThat(g.size()).isEqualTo("3Gi");
      assertThat(g.why()).contains("above 70%");
    });
    assertThat(withGrowth(crowded, null, null).step()).as("autoGrow off").isEqualTo(new Step.Nothing());
    assertThat(withGrowth(crowded, null, new MaintenancePlanner.Growth(70, "2Gi", "1Gi", "4Gi", true)).step())
        .as("one growth at a time").isEqualTo(new Step.Nothing());
    assertThat(withGrowth(crowded, null, new MaintenancePlanner.Growth(70, "4Gi", "1Gi", "4Gi", false)).step())
        .as("at maxSize").isEqualTo(new Step.Nothing());
    assertThat(withGrowth(List.of(member(0, 1550, 1000), member(1, 1550, 1000), member(2, 1550, 1000)), null, growth)
        .step()).as("below the threshold").isEqualTo(new Step.Nothing());
    List<MaintenancePlanner.Member> rolling = List.of(new MaintenancePlanner.Member("demo-0", 100, false, true,
        1550 * MIB, 1500 * MIB, 1000, 1024 * MIB), member(1, 1550, 1500), member(2, 1550, 1500));
    assertThat(withGrowth(rolling, null, growth).step()).as("a member still on the old quota")
        .isEqualTo(new Step.Nothing());
  }

  @Test
  void noSpaceWithLiveDataAndAutoGrowGrowsInsteadOfWaitingForAPerson() {
    MaintenancePlanner.NoSpace alarm = new MaintenancePlanner.NoSpace(now.minusSeconds(60), now.minusSeconds(50), 100);
    for (int i = 0; i < 3; i++) history.put("demo-" + i, new MaintenancePlanner.History(now, 0, null));
    List<MaintenancePlanner.Member> live = List.of(member(0, 1950, 1945), member(1, 1950, 1945), member(2, 1950, 1945));
    assertThat(withGrowth(live, alarm, new MaintenancePlanner.Growth(70, "2Gi", "2Gi", "8Gi", false)).step())
        .isEqualTo(new Step.GrowVolumes("4Gi", "NOSPACE with live data 1945.0 MiB on demo-0 of a 2048.0 MiB quota"));
    MaintenancePlanner.Plan growing = withGrowth(live, alarm, new MaintenancePlanner.Growth(70, "2Gi", "2Gi", "8Gi",
        true));
    assertThat(growing.step()).isInstanceOfSatisfying(Step.Wait.class, w -> {
      assertThat(w.othersMayAct()).as("the roll that raises each member's quota goes on").isTrue();
      assertThat(w.reason()).contains("waiting for the volumes to grow");
    });
  }
}
