package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import java.util.Objects;

/** A daily window: from start, for duration, in a time zone. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MaintenanceWindow {
  @Pattern("^([01][0-9]|2[0-3]):[0-5][0-9]$")
  @JsonPropertyDescription("Start of the window each day, HH:MM.")
  private String start;

  @Pattern(TlsSpec.DURATION)
  @JsonPropertyDescription("How long the window lasts, e.g. 4h (at most 24h).")
  private String duration;

  @JsonPropertyDescription("IANA time zone of start, e.g. Europe/Berlin. Default Etc/UTC.")
  private String timeZone;

  public String getStart() { return start; }
  public void setStart(String start) { this.start = start; }
  public String getDuration() { return duration; }
  public void setDuration(String duration) { this.duration = duration; }
  public String getTimeZone() { return timeZone; }
  public void setTimeZone(String timeZone) { this.timeZone = timeZone; }

  @Override
  public boolean equals(Object o) {
    return o instanceof MaintenanceWindow x && Objects.equals(start, x.start) && Objects.equals(duration, x.duration)
        && Objects.equals(timeZone, x.timeZone);
  }

  @Override
  public int hashCode() { return Objects.hash(start, duration, timeZone); }
}
