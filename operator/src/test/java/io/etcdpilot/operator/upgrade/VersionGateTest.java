package io.etcdpilot.operator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.model.EtcdVersion;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VersionGateTest {
  static EtcdVersion v(String s) {
    return s == null || s.isBlank() ? null : EtcdVersion.parse(s);
  }

  @ParameterizedTest(name = "rendered {0}, running [{1}], wanted {2} -> render {3}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      // bootstrap: nothing rendered yet, any version goes
      "-      | -              | 3.4.23 | 3.4.23 | -",
      "3.5.16 | 3.5.16         | 3.5.16 | 3.5.16 | -",
      // patch changes, both ways
      "3.5.16 | 3.5.16         | 3.5.30 | 3.5.30 | -",
      "3.5.30 | 3.5.30         | 3.5.16 | 3.5.16 | -",
      "3.6.0-rc.1 | 3.6.0-rc.1 | 3.6.16 | 3.6.16 | -",
      // one minor up, from at least the minimum etcd's upgrade guide names
      "3.5.35 | 3.5.35         | 3.6.16 | 3.6.16 | -",
      "3.5.32 | 3.5.32         | 3.6.0  | 3.6.0  | -",
      "3.6.11 | 3.6.11         | 3.7.3  | 3.7.3  | -",
      "3.4.23 | 3.4.23         | 3.5.35 | 3.5.35 | -",
      // below the minimum: refused, naming it
      "3.5.31 | 3.5.31         | 3.6.16 | 3.5.31 | requires 3.5.32 or later before upgrading to 3.6",
      "3.6.8  | 3.6.8          | 3.7.3  | 3.6.8  | requires 3.6.11 or later",
      // ... also when one member still runs an old patch
      "3.5.35 | 3.5.16;3.5.35  | 3.6.16 | 3.5.35 | from 3.5.16 to 3.6.16",
      // skipping a minor: refused, members stay on what they run
      "3.4.23 | 3.4.23         | 3.6.16 | 3.4.23 | one minor version at a time; set 3.5.x first",
      // minor downgrade from 3.5: etcd's downgrade API takes a cluster down only from 3.6 on
      "3.5.30 | 3.5.30         | 3.4.23 | 3.5.30 | only from 3.6 on",
      // two minors down
      "3.7.3  | 3.7.3          | 3.5.35 | 3.7.3  | one minor version at a time; set 3.6.x first",
      // across majors
      "3.5.30 | 3.5.30         | 4.0.0  | 3.5.30 | across major versions",
      // a roll half done from 3.4 counts from 3.4: 3.4 -> 3.6 is still a skip
      "3.5.30 | 3.4.23;3.5.30  | 3.6.16 | 3.5.30 | from 3.4.23 to 3.6.16",
      // reverting mid-roll (a member still runs the old minor): the same roll takes the upgraded ones back
      "3.6.16 | 3.5.35;3.6.16  | 3.5.35 | 3.5.35 | -",
      // a downgrade within a minor is a patch change
      "3.6.16 | 3.6.16         | 3.6.14 | 3.6.14 | -",
  })
  void decides(String rendered, String running, String wanted, String render, String refusal) {
    List<EtcdVersion> runningVersions = running == null ? List.of()
        : Arrays.stream(running.split(";")).map(EtcdVersion::parse).toList();
    VersionGate.Decision d = VersionGate.decide(v(rendered), runningVersions, v(wanted));
    assertThat(d.render()).isEqualTo(v(render));
    assertThat(d.refused()).isEqualTo(refusal != null);
    if (refusal == null) {
      assertThat(d.refused()).isFalse();
    } else {
      assertThat(d.refusal()).contains(refusal);
    }
  }

  @org.junit.jupiter.api.Test
  void anOperatorFlagOverridesARowOfTheMinimums() {
    UpgradeMinimums relaxed = UpgradeMinimums.withOverrides(java.util.Map.of("3.5", "3.5.26"));
    assertThat(VersionGate.decide(VersionGate.Facts.of(v("3.5.30"), List.of(v("3.5.30"))), v("3.6.16"), relaxed)
        .refused()).isFalse();
    assertThat(VersionGate.decide(v("3.5.30"), List.of(v("3.5.30")), v("3.6.16")).refused()).isTrue();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> UpgradeMinimums.withOverrides(java.util.Map.of("3.5", "3.6.1")))
        .hasMessageContaining("3.6.1 is not a 3.5 release");
  }

  static VersionGate.Facts facts(String rendered, String running, String storage, String downgradeTarget) {
    return new VersionGate.Facts(v(rendered), Arrays.stream(running.split(";")).map(EtcdVersion::parse).toList(), true,
        storage == null ? List.of() : Arrays.stream(storage.split(";")).map(EtcdVersion::parse).toList(),
        v(downgradeTarget), false, List.of());
  }

  @org.junit.jupiter.api.Test
  void aMinorDowngradeGoesThroughEtcdsDowngradeApi() {
    EtcdVersion wanted = v("3.5.35");
    UpgradeMinimums guide = UpgradeMinimums.guide();
    // 1. every member on 3.6, storage at 3.6: ask etcd to enable the downgrade; members stay on 3.6 meanwhile
    VersionGate.Decision enable = VersionGate.decide(facts("3.6.16", "3.6.16;3.6.16;3.6.16", "3.6.0;3.6.0;3.6.0", null),
        wanted, guide);
    assertThat(enable.render()).isEqualTo(v("3.6.16"));
    assertThat(enable.refused()).isFalse();
    assertThat(enable.prerequisite()).isEqualTo(new io.etcdpilot.operator.plan.Step.EnableDowngrade("3.5"));
    // ... only once every member answers
    VersionGate.Facts oneDown = new VersionGate.Facts(v("3.6.16"), List.of(v("3.6.16"), v("3.6.16")), false,
        List.of(v("3.6.0"), v("3.6.0")), null, false, List.of());
    assertThat(VersionGate.decide(oneDown, wanted, guide).prerequisite())
        .isInstanceOf(io.etcdpilot.operator.plan.Step.Wait.class);
    // 2. enabled, a member's storage still at 3.6: wait for etcd to move it
    VersionGate.Decision storage = VersionGate.decide(facts("3.6.16", "3.6.16;3.6.16;3.6.16", "3.5.0;3.6.0;3.5.0", "3.5.0"),
        wanted, guide);
    assertThat(storage.render()).isEqualTo(v("3.6.16"));
    assertThat(((io.etcdpilot.operator.plan.Step.Wait) storage.prerequisite()).reason())
        .contains("storage version to 3.5").contains("3.6.0");
    // 3. storage at 3.5 everywhere: members are rendered with 3.5 and roll the careful way
    VersionGate.Decision roll = VersionGate.decide(facts("3.6.16", "3.6.16;3.6.16;3.6.16", "3.5.0;3.5.0;3.5.0", "3.5.0"),
        wanted, guide);
    assertThat(roll.render()).isEqualTo(wanted);
    assertThat(roll.prerequisite()).isNull();
    // ... and stay so while mixed (3.5 members report no storage version)
    assertThat(VersionGate.decide(facts("3.5.35", "3.5.35;3.6.16;3.6.16", "3.5.0;3.5.0", "3.5.0"), wanted, guide).render())
        .isEqualTo(wanted);
    // 4. the user sets 3.6 back mid-way: cancel first, then it is an ordinary upgrade from 3.5.35
    VersionGate.Decision cancel = VersionGate.decide(facts("3.5.35", "3.5.35;3.6.16;3.6.16", "3.5.0;3.5.0", "3.5.0"),
        v("3.6.16"), guide);
    assertThat(cancel.render()).isEqualTo(v("3.5.35"));
    assertThat(cancel.prerequisite()).isEqualTo(new io.etcdpilot.operator.plan.Step.CancelDowngrade("3.5"));
    assertThat(VersionGate.decide(facts("3.5.35", "3.5.35;3.6.16;3.6.16", "3.5.0;3.5.0", null), v("3.6.16"), guide)
        .render()).isEqualTo(v("3.6.16"));
  }

  @org.junit.jupiter.api.Test
  void aRevertBeforeTheClusterVersionMovedIsABinarySwap() {
    // Every member runs 3.6 but their data is still at 3.5: the cluster version never moved.
    VersionGate.Decision d = VersionGate.decide(facts("3.6.16", "3.6.16;3.6.16;3.6.16", "3.5.0;3.5.0;3.5.0", null),
        v("3.5.35"), UpgradeMinimums.guide());
    assertThat(d.render()).isEqualTo(v("3.5.35"));
    assertThat(d.prerequisite()).isNull();
  }

  @org.junit.jupiter.api.Test
  void threeFourToThreeFiveIsRefusedWithAuthenticationOn() {
    assertThat(VersionGate.asksAboutAuth(v("3.4.23"), List.of(v("3.4.23")), v("3.5.35"))).isTrue();
    assertThat(VersionGate.asksAboutAuth(v("3.5.30"), List.of(v("3.5.30")), v("3.5.35"))).isFalse();
    assertThat(VersionGate.asksAboutAuth(v("3.5.35"), List.of(v("3.4.23"), v("3.5.35")), v("3.5.35"))).isFalse();
    VersionGate.Facts withAuth = new VersionGate.Facts(v("3.4.23"), List.of(v("3.4.23")), true, List.of(), null, true, List.of());
    VersionGate.Decision d = VersionGate.decide(withAuth, v("3.5.35"), UpgradeMinimums.guide());
    assertThat(d.render()).isEqualTo(v("3.4.23"));
    assertThat(d.refusal()).contains("authentication enabled").contains("3.4.23 to 3.5.35");
    VersionGate.Facts noAuth = new VersionGate.Facts(v("3.4.23"), List.of(v("3.4.23")), true, List.of(), null, false, List.of());
    assertThat(VersionGate.decide(noAuth, v("3.5.35"), UpgradeMinimums.guide()).render()).isEqualTo(v("3.5.35"));
  }

  @org.junit.jupiter.api.Test
  void aMemberThatDoesNotAnswerCountsWithTheVersionItLastReported() {
    // Two members answer on 3.6; the third is down and last reported 3.5: 3.7 is two minors from it.
    VersionGate.Facts f = new VersionGate.Facts(v("3.6.16"), List.of(v("3.6.16"), v("3.6.16"), v("3.5.35")), false,
        List.of(), null, false, List.of());
    VersionGate.Decision d = VersionGate.decide(f, v("3.7.3"), UpgradeMinimums.guide());
    assertThat(d.refused()).isTrue();
    assertThat(d.render()).isEqualTo(v("3.6.16"));
    assertThat(d.refusal()).contains("3.5.35");
  }

  @org.junit.jupiter.api.Test
  void noVersionStepWhileAMembersVersionIsUnknown() {
    VersionGate.Facts f = new VersionGate.Facts(v("3.6.16"), List.of(v("3.6.16"), v("3.6.16")), false,
        List.of(), null, false, List.of("demo-2"));
    VersionGate.Decision d = VersionGate.decide(f, v("3.7.3"), UpgradeMinimums.guide());
    assertThat(d.render()).isEqualTo(v("3.6.16"));
    assertThat(d.prerequisite()).isInstanceOfSatisfying(io.etcdpilot.operator.plan.Step.Wait.class,
        w -> assertThat(w.reason()).contains("demo-2").contains("not known"));
    // Nothing to decide when the spec asks for what is rendered.
    assertThat(VersionGate.decide(f, v("3.6.16"), UpgradeMinimums.guide()).prerequisite()).isNull();
  }
}
