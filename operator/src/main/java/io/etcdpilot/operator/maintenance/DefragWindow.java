package io.etcdpilot.operator.maintenance;

import io.etcdpilot.operator.model.Durations;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/** A daily window (start, duration, time zone) maintenance may start in; always open when none is given. */
public final class DefragWindow {
  private static final DefragWindow ALWAYS = new DefragWindow(null, null, null);

  private final LocalTime start;
  private final Duration duration;
  private final ZoneId zone;

  private DefragWindow(LocalTime start, Duration duration, ZoneId zone) {
    this.start = start;
    this.duration = duration;
    this.zone = zone;
  }

  public static DefragWindow always() {
    return ALWAYS;
  }

  /** From the spec; call {@link #problems} first (this throws on what it reports). */
  public static DefragWindow of(io.etcdpilot.operator.api.v1alpha1.MaintenanceWindow w) {
    if (w == null) return ALWAYS;
    return new DefragWindow(LocalTime.parse(w.getStart()), Durations.parse(w.getDuration()),
        ZoneId.of(w.getTimeZone() == null || w.getTimeZone().isBlank() ? "Etc/UTC" : w.getTimeZone()));
  }

  /** What is wrong with a window, naming the field; empty when it is valid. */
  public static Optional<String> problems(io.etcdpilot.operator.api.v1alpha1.MaintenanceWindow w, String field) {
    if (w == null) return Optional.empty();
    if (w.getStart() == null || !w.getStart().matches("^([01][0-9]|2[0-3]):[0-5][0-9]$")) {
      return Optional.of(field + ".start: must be HH:MM, was '" + w.getStart() + "'");
    }
    Duration d;
    try {
      d = Durations.parse(w.getDuration());
    } catch (RuntimeException e) {
      return Optional.of(field + ".duration: must be a duration such as 4h, was '" + w.getDuration() + "'");
    }
    if (d.isZero() || d.isNegative() || d.compareTo(Duration.ofHours(24)) > 0) {
      return Optional.of(field + ".duration: must be more than 0 and at most 24h, was '" + w.getDuration() + "'");
    }
    if (w.getTimeZone() != null && !w.getTimeZone().isBlank()) {
      try {
        ZoneId.of(w.getTimeZone());
      } catch (DateTimeException e) {
        return Optional.of(field + ".timeZone: not an IANA time zone: '" + w.getTimeZone() + "'");
      }
    }
    return Optional.empty();
  }

  public boolean open(Instant now) {
    if (start == null) return true;
    ZonedDateTime local = now.atZone(zone);
    // The window that started today, or yesterday's when it runs past midnight.
    for (int daysBack = 0; daysBack <= 1; daysBack++) {
      ZonedDateTime opened = local.toLocalDate().minusDays(daysBack).atTime(start).atZone(zone);
      if (!now.isBefore(opened.toInstant()) && now.isBefore(opened.toInstant().plus(duration))) return true;
    }
    return false;
  }

  @Override
  public String toString() {
    return start == null ? "any time" : start + " for " + Durations.format(duration) + " (" + zone + ")";
  }
}
