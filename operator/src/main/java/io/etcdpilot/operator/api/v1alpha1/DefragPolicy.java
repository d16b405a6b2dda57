package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import java.util.Objects;

/**
 * Which member is defragmented, and when. A member is defragmented (one per pass, followers first, the leader last
 * after leadership moved away) when the rule holds for it, no sooner than minInterval after its last one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DefragPolicy {
  @JsonPropertyDescription("false turns automatic defragmentation off (NOSPACE recovery still defragments). Default true.")
  private Boolean enabled;

  @JsonPropertyDescription("A CEL expression over dbSize, dbSizeInUse, dbSizeFree, dbQuota (bytes, int) and dbQuotaUsage"
      + " (dbSize/dbQuota, double 0..1), true when a member should be defragmented. Default: dbSizeFree >= 100 MiB and"
      + " >= 45% of dbSize, or dbQuotaUsage >= 0.8 with dbSizeFree >= 10% of dbSize.")
  private String rule;

  @Pattern(TlsSpec.DURATION)
  @JsonPropertyDescription("Least time between two defragmentations of one member. Default 1h.")
  private String minInterval;

  @JsonPropertyDescription("When defragmentation may start (NOSPACE recovery does not wait for it). Default: any time.")
  private MaintenanceWindow window;

  public Boolean getEnabled() { return enabled; }
  public void setEnabled(Boolean enabled) { this.enabled = enabled; }
  public String getRule() { return rule; }
  public void setRule(String rule) { this.rule = rule; }
  public String getMinInterval() { return minInterval; }
  public void setMinInterval(String minInterval) { this.minInterval = minInterval; }
  public MaintenanceWindow getWindow() { return window; }
  public void setWindow(MaintenanceWindow window) { this.window = window; }

  @Override
  public boolean equals(Object o) {
    return o instanceof DefragPolicy x && Objects.equals(enabled, x.enabled) && Objects.equals(rule, x.rule)
        && Objects.equals(minInterval, x.minInterval) && Objects.equals(window, x.window);
  }

  @Override
  public int hashCode() { return Objects.hash(enabled, rule, minInterval, window); }
}
