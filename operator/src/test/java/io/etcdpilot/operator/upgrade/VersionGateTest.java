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
      // one minor up
      "3.5.30 | 3.5.30         | 3.6.16 | 3.6.16 | -",
      // skipping a minor: refused, members stay on what they run
      "3.4.23 | 3.4.23         | 3.6.16 | 3.4.23 | one minor version at a time; set 3.5.x first",
      // minor downgrade by binary swap
      "3.5.30 | 3.5.30         | 3.4.23 | 3.5.30 | downgrade procedure",
      // across majors
      "3.5.30 | 3.5.30         | 4.0.0  | 3.5.30 | across major versions",
      // a roll half done from 3.4 counts from 3.4: 3.4 -> 3.6 is still a skip
      "3.5.30 | 3.4.23;3.5.30  | 3.6.16 | 3.5.30 | from 3.4.23 to 3.6.16",
  })
  void decides(String rendered, String running, String wanted, String render, String refusal) {
    List<EtcdVersion> runningVersions = running == null ? List.of()
        : Arrays.stream(running.split(";")).map(EtcdVersion::parse).toList();
    VersionGate.Decision d = VersionGate.decide(v(rendered), runningVersions, v(wanted));
    assertThat(d.render()).isEqualTo(v(render));
    if (refusal == null) {
      assertThat(d.refused()).isFalse();
    } else {
      assertThat(d.refusal()).contains(refusal);
    }
  }
}
