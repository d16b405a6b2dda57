package io.etcdpilot.operator.snapshot;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * When scheduled snapshots are due: a 5-field UNIX cron in a time zone. Pure (the clock is an argument). A run
 * missed while the operator was away is due once, not once per missed time: the schedule counts from the last run
 * it created (or skipped), and that becomes now when it runs.
 */
public final class SnapshotSchedule {
  private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private final ExecutionTime execution;
  private final ZoneId zone;

  private SnapshotSchedule(ExecutionTime execution, ZoneId zone) {
    this.execution = execution;
    this.zone = zone;
  }

  /** @throws IllegalArgumentException naming what does not parse (the cron, or the zone) */
  public static SnapshotSchedule parse(String cron, String timeZone) {
    ZoneId zone;
    try {
      zone = timeZone == null || timeZone.isBlank() ? ZoneId.of("Etc/UTC") : ZoneId.of(timeZone);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("timeZone: not an IANA time zone: '" + timeZone + "'");
    }
    try {
      return new SnapshotSchedule(ExecutionTime.forCron(PARSER.parse(cron.trim())), zone);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("schedule: not a 5-field cron expression ('" + cron + "'): "
          + (e.getMessage() == null ? "invalid" : e.getMessage()));
    }
  }

  /** The first run strictly after {@code after}. */
  public Optional<Instant> next(Instant after) {
    return execution.nextExecution(ZonedDateTime.ofInstant(after, zone)).map(ZonedDateTime::toInstant);
  }

  /**
   * Whether a run is due now.
   * @param since the last run the schedule created or skipped; when none, when the schedule was set up
   */
  public boolean due(Instant since, Instant now) {
    return next(since).map(n -> !n.isAfter(now)).orElse(false);
  }
}
