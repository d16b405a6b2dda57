package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One member's last defragmentation, and the failures since it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MemberMaintenance {
  private String name;
  @JsonPropertyDescription("When its last defragmentation finished.")
  private String lastDefragTime;
  @JsonPropertyDescription("Database size before it, bytes.")
  private Long bytesBefore;
  @JsonPropertyDescription("Database size after it, bytes.")
  private Long bytesAfter;
  @JsonPropertyDescription("How long it took, milliseconds.")
  private Long durationMillis;
  @JsonPropertyDescription("Defragmentations of this member that failed in a row (0 after a success).")
  private Integer consecutiveFailures;
  @JsonPropertyDescription("When the last one failed, and why.")
  private String lastFailureTime;
  private String lastFailure;

  public MemberMaintenance() {}

  public MemberMaintenance(String name) {
    this.name = name;
  }

  public MemberMaintenance copy() {
    MemberMaintenance m = new MemberMaintenance(name);
    m.lastDefragTime = lastDefragTime; m.bytesBefore = bytesBefore; m.bytesAfter = bytesAfter;
    m.durationMillis = durationMillis; m.consecutiveFailures = consecutiveFailures;
    m.lastFailureTime = lastFailureTime; m.lastFailure = lastFailure;
    return m;
  }

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public String getLastDefragTime() { return lastDefragTime; }
  public void setLastDefragTime(String lastDefragTime) { this.lastDefragTime = lastDefragTime; }
  public Long getBytesBefore() { return bytesBefore; }
  public void setBytesBefore(Long bytesBefore) { this.bytesBefore = bytesBefore; }
  public Long getBytesAfter() { return bytesAfter; }
  public void setBytesAfter(Long bytesAfter) { this.bytesAfter = bytesAfter; }
  public Long getDurationMillis() { return durationMillis; }
  public void setDurationMillis(Long durationMillis) { this.durationMillis = durationMillis; }
  public Integer getConsecutiveFailures() { return consecutiveFailures; }
  public void setConsecutiveFailures(Integer consecutiveFailures) { this.consecutiveFailures = consecutiveFailures; }
  public String getLastFailureTime() { return lastFailureTime; }
  public void setLastFailureTime(String lastFailureTime) { this.lastFailureTime = lastFailureTime; }
  public String getLastFailure() { return lastFailure; }
  public void setLastFailure(String lastFailure) { this.lastFailure = lastFailure; }

  @Override
  public boolean equals(Object o) {
    return o instanceof MemberMaintenance x && Objects.equals(name, x.name)
        && Objects.equals(lastDefragTime, x.lastDefragTime) && Objects.equals(bytesBefore, x.bytesBefore)
        && Objects.equals(bytesAfter, x.bytesAfter) && Objects.equals(durationMillis, x.durationMillis)
        && Objects.equals(consecutiveFailures, x.consecutiveFailures)
        && Objects.equals(lastFailureTime, x.lastFailureTime) && Objects.equals(lastFailure, x.lastFailure);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, lastDefragTime, bytesBefore, bytesAfter, durationMillis, consecutiveFailures,
        lastFailureTime, lastFailure);
  }
}
