package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** A NOSPACE alarm and the way out of it: compaction, defragmentation, disarm. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NoSpaceRecovery {
  @JsonPropertyDescription("When the operator first saw the alarm.")
  private String detectedTime;
  @JsonPropertyDescription("The member(s) that raised it.")
  private String members;
  @JsonPropertyDescription("The revision the operator compacted to.")
  private Long compactedRevision;
  @JsonPropertyDescription("When it compacted: members defragmented before this are defragmented again.")
  private String compactedTime;
  @JsonPropertyDescription("When the alarm was disarmed (writes possible again); absent while it is raised.")
  private String recoveredTime;
  @JsonPropertyDescription("Where the recovery is, or why it cannot finish by itself.")
  private String message;

  public NoSpaceRecovery() {}

  public NoSpaceRecovery copy() {
    NoSpaceRecovery n = new NoSpaceRecovery();
    n.detectedTime = detectedTime; n.members = members; n.compactedRevision = compactedRevision; n.compactedTime = compactedTime;
    n.recoveredTime = recoveredTime; n.message = message;
    return n;
  }

  public String getDetectedTime() { return detectedTime; }
  public void setDetectedTime(String detectedTime) { this.detectedTime = detectedTime; }
  public String getMembers() { return members; }
  public void setMembers(String members) { this.members = members; }
  public Long getCompactedRevision() { return compactedRevision; }
  public void setCompactedRevision(Long compactedRevision) { this.compactedRevision = compactedRevision; }
  public String getCompactedTime() { return compactedTime; }
  public void setCompactedTime(String compactedTime) { this.compactedTime = compactedTime; }
  public String getRecoveredTime() { return recoveredTime; }
  public void setRecoveredTime(String recoveredTime) { this.recoveredTime = recoveredTime; }
  public String getMessage() { return message; }
  public void setMessage(String message) { this.message = message; }

  @Override
  public boolean equals(Object o) {
    return o instanceof NoSpaceRecovery x && Objects.equals(detectedTime, x.detectedTime)
        && Objects.equals(members, x.members) && Objects.equals(compactedRevision, x.compactedRevision)
        && Objects.equals(compactedTime, x.compactedTime)
        && Objects.equals(recoveredTime, x.recoveredTime) && Objects.equals(message, x.message);
  }

  @Override
  public int hashCode() { return Objects.hash(detectedTime, members, compactedRevision, compactedTime, recoveredTime, message); }
}
