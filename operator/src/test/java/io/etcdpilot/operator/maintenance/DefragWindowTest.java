package io.etcdpilot.operator.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.api.v1alpha1.MaintenanceWindow;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DefragWindowTest {
  static MaintenanceWindow window(String start, String duration, String zone) {
    MaintenanceWindow w = new MaintenanceWindow();
    w.setStart(start);
    w.setDuration(duration);
    w.setTimeZone(zone);
    return w;
  }

  @Test
  void openFromStartForTheDurationInItsZone() {
    DefragWindow w = DefragWindow.of(window("02:00", "3h", "America/New_York"));
    assertThat(w.open(Instant.parse("2026-12-06T07:00:00Z"))).as("02:00 EST").isTrue();
    assertThat(w.open(Instant.parse("2026-12-06T09:59:59Z"))).isTrue();
    assertThat(w.open(Instant.parse("2026-12-06T10:00:00Z"))).isFalse();
    assertThat(w.open(Instant.parse("2026-12-06T06:59:59Z"))).isFalse();
    assertThat(DefragWindow.always().open(Instant.EPOCH)).isTrue();
  }

  @Test
  void problemsNameTheField() {
    assertThat(DefragWindow.problems(window("25:00", "1h", null), "w")).hasValueSatisfying(p -> assertThat(p).startsWith("w.start"));
    assertThat(DefragWindow.problems(window("01:00", "25h", null), "w")).hasValueSatisfying(p -> assertThat(p).startsWith("w.duration"));
    assertThat(DefragWindow.problems(window("01:00", "soon", null), "w")).hasValueSatisfying(p -> assertThat(p).startsWith("w.duration"));
    assertThat(DefragWindow.problems(window("01:00", "1h", "Mars/Olympus"), "w")).hasValueSatisfying(p -> assertThat(p).startsWith("w.timeZone"));
    assertThat(DefragWindow.problems(window("01:00", "1h", null), "w")).isEmpty();
  }
}
