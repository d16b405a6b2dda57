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
      // minor downgrade by binary swap
      "3.5.30 | 3.5.30         | 3.4.23 | 3.5.30 | downgrade procedure",
      // across majors
      "3.5.30 | 3.5.30         | 4.0.0  | 3.5.30 | across major versions",
      // a roll half done from 3.4 counts from 3.4: 3.4 -> 3.6 is still a skip
      "3.5.30 | 3.4.23;3.5.30  | 3.6.16 | 3.5.30 | from 3.4.23 to 3.6.16",
      // reverting mid-roll (a member still runs the old minor): the same roll takes the upgraded ones back
      "3.6.16 | 3.5.35;3.6.16  | 3.5.35 | 3.5.35 | -",
      // once every member runs the new minor, going back is a minor downgrade
      "3.6.16 | 3.6.16;3.6.16  | 3.5.35 | 3.6.16 | downgrade procedure",
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
    assertThat(VersionGate.decide(v("3.5.30"), List.of(v("3.5.30")), v("3.6.16"), relaxed).refused()).isFalse();
    assertThat(VersionGate.decide(v("3.5.30"), List.of(v("3.5.30")), v("3.6.16")).refused()).isTrue();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> UpgradeMinimums.withOverrides(java.util.Map.of("3.5", "3.6.1")))
        .hasMessageContaining("3.6.1 is not a 3.5 release");
  }
}
