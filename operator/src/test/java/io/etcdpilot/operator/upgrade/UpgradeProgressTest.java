package io.etcdpilot.operator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.model.EtcdVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpgradeProgressTest {
  static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
  static final Duration DEADLINE = Duration.ofMinutes(10);
  static final EtcdVersion TO = EtcdVersion.parse("3.6.16");

  static UpgradeProgress.MemberRun run(String name, boolean updated, boolean ready, Duration age, String version,
      String says) {
    return new UpgradeProgress.MemberRun(name, updated, ready, NOW.minus(age), version, says);
  }

  @Test
  void countsMembersDoneAndIsAbsentOnceTheClusterRunsTheTarget() {
    List<UpgradeProgress.MemberRun> members = List.of(
        run("demo-0", false, true, Duration.ofHours(1), "3.5.35", null),
        run("demo-1", true, true, Duration.ofMinutes(1), "3.6.16", null),
        run("demo-2", true, true, Duration.ofMinutes(2), "3.6.16", null));
    var p = UpgradeProgress.of(TO, "3.5.35", null, members, DEADLINE, NOW).orElseThrow();
    assertThat(p.from()).isEqualTo("3.5.35");
    assertThat(p.done()).isEqualTo(2);
    assertThat(p.total()).isEqualTo(3);
    assertThat(p.stuck()).isNull();
    // Where it started is kept while it runs.
    assertThat(UpgradeProgress.of(TO, "3.5.35", "3.5.30", members, DEADLINE, NOW).orElseThrow().from()).isEqualTo("3.5.30");
    assertThat(UpgradeProgress.of(TO, "3.6.16", null, members, DEADLINE, NOW)).isEmpty();
    assertThat(UpgradeProgress.of(TO, null, null, members, DEADLINE, NOW)).as("bootstrap").isEmpty();
  }

  @Test
  void aMemberDownOnTheNewVersionPastTheDeadlineIsStuckAndNamed() {
    List<UpgradeProgress.MemberRun> members = List.of(
        run("demo-0", false, true, Duration.ofHours(1), "3.5.35", null),
        run("demo-1", false, true, Duration.ofHours(1), "3.5.35", null),
        run("demo-2", true, false, Duration.ofMinutes(10), null, "ImagePullBackOff: no such image"));
    String stuck = UpgradeProgress.of(TO, "3.5.35", null, members, DEADLINE, NOW).orElseThrow().stuck();
    assertThat(stuck).contains("member demo-2").contains("3.6.16").contains("within 10m")
        .contains("ImagePullBackOff: no such image").contains("set spec.version back to 3.5.35");
    // Not yet at the deadline: only waiting.
    List<UpgradeProgress.MemberRun> young = List.of(members.get(0), members.get(1),
        run("demo-2", true, false, Duration.ofMinutes(9), null, "ImagePullBackOff"));
    assertThat(UpgradeProgress.of(TO, "3.5.35", null, young, DEADLINE, NOW).orElseThrow().stuck()).isNull();
  }

  @Test
  void theRollHoldsDownMembersItWillRestartOrThatAreDownOnTheNewVersion() {
    List<UpgradeProgress.MemberRun> members = List.of(
        run("demo-0", false, false, Duration.ofHours(1), null, "CrashLoopBackOff"),
        run("demo-1", true, false, Duration.ofHours(1), null, "ImagePullBackOff"),
        run("demo-2", true, true, Duration.ofHours(1), "3.6.16", null));
    assertThat(UpgradeProgress.held(TO, "3.5.35", members)).containsExactlyInAnyOrder("demo-0", "demo-1");
    // No version change: a member down on the current template is the failed-member replacement's again.
    assertThat(UpgradeProgress.held(TO, "3.6.16", members)).containsExactly("demo-0");
  }
}
