package io.etcdpilot.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** When a cluster is looked at again: one pure function of the report, as a table. */
class RequeueTest {
  static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
  static final Duration STEADY = Duration.ofSeconds(60);
  static final Duration BUSY_MAX = Duration.ofSeconds(5);

  static Optional<Instant> in(String d) {
    return Optional.of(NOW.plus(Duration.parse(d)));
  }

  static Arguments row(String what, boolean busy, boolean changed, String previousBackoff, Optional<Instant> renewal,
      Optional<Instant> settles, Optional<Instant> snapshot, String delay, String backoff) {
    return row(what, busy, changed, previousBackoff, renewal, settles, snapshot, false, delay, backoff);
  }

  static Arguments row(String what, boolean busy, boolean changed, String previousBackoff, Optional<Instant> renewal,
      Optional<Instant> settles, Optional<Instant> snapshot, boolean refused, String delay, String backoff) {
    return Arguments.of(what, new Report.Wakeups(busy, changed, renewal, settles, snapshot, refused),
        previousBackoff == null ? null : Duration.parse(previousBackoff), Duration.parse(delay),
        backoff == null ? null : Duration.parse(backoff));
  }

  static Stream<Arguments> rows() {
    Optional<Instant> none = Optional.empty();
    return Stream.of(
        row("steady", false, false, null, none, none, none, "PT60S", null),
        row("steady forgets a back-off", false, true, "PT2S", none, none, none, "PT60S", null),
        row("busy, first look", true, false, null, none, none, none, "PT0.1S", "PT0.1S"),
        row("busy, nothing changed: doubles", true, false, "PT0.4S", none, none, none, "PT0.8S", "PT0.8S"),
        row("busy, doubling stops at the busy resync", true, false, "PT4S", none, none, none, "PT5S", "PT5S"),
        row("busy, a change starts over", true, true, "PT4S", none, none, none, "PT0.1S", "PT0.1S"),
        row("a certificate due in 10 s", false, false, null, in("PT10S"), none, none, "PT11S", null),
        row("a certificate overdue", false, false, null, in("-PT10S"), none, none, "PT5S", null),
        row("a certificate due after the steady resync", false, false, null, in("PT2H"), none, none, "PT60S", null),
        row("certificates settle in 20 s", false, false, null, none, in("PT20S"), none, "PT20.5S", null),
        row("the schedule fires in 30 s", false, false, null, none, none, in("PT30S"), "PT30.5S", null),
        row("the schedule is overdue", false, false, null, none, none, in("-PT1S"), "PT5S", null),
        row("busy is sooner than the schedule", true, true, null, none, none, in("PT30S"), "PT0.1S", "PT0.1S"),
        row("the earliest of all wins", false, false, null, in("PT40S"), in("PT20S"), in("PT10S"), "PT10.5S", null),
        row("a write the API server refused is tried again in 30 s", false, false, null, none, none, none, true,
            "PT30S", null),
        row("busy is sooner than the refused write's retry", true, false, "PT1S", none, none, none, true, "PT2S", "PT2S"),
        row("the schedule is sooner than the refused write's retry", false, false, null, none, none, in("PT5S"), true,
            "PT5.5S", null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void delay(String what, Report.Wakeups wakeups, Duration previousBackoff, Duration delay, Duration backoff) {
    Requeue.Next next = Requeue.next(wakeups, previousBackoff, NOW, STEADY, BUSY_MAX);
    assertThat(next.delay()).isEqualTo(delay);
    assertThat(next.backoff()).isEqualTo(backoff);
  }
}
