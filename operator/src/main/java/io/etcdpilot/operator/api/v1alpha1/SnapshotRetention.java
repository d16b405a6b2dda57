package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Which scheduled snapshots are kept. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SnapshotRetention {
  @io.fabric8.generator.annotation.Min(1)
  @JsonPropertyDescription("The newest N successful scheduled snapshots are kept (default 14).")
  private Integer keep;
  @io.fabric8.generator.annotation.Pattern(TlsSpec.DURATION)
  @JsonPropertyDescription("Scheduled snapshots older than this are deleted too, e.g. 720h; the newest successful one never is.")
  private String maxAge;

  public Integer getKeep() { return keep; }
  public void setKeep(Integer keep) { this.keep = keep; }
  public String getMaxAge() { return maxAge; }
  public void setMaxAge(String maxAge) { this.maxAge = maxAge; }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SnapshotRetention x)) return false;
    return Objects.equals(keep, x.keep)
        && Objects.equals(maxAge, x.maxAge);
  }

  @Override
  public int hashCode() { return Objects.hash(keep, maxAge); }
}
