package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The quota members run with, each member's last defragmentation, and the last NOSPACE recovery. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MaintenanceStatus {
  @JsonPropertyDescription("--quota-backend-bytes the members run with (spec.etcd.quotaBackendBytes, else derived from the volume size).")
  private Long quotaBytes;
  @JsonPropertyDescription("Per member: its last defragmentation and failures since.")
  private List<MemberMaintenance> members = new ArrayList<>();
  @JsonPropertyDescription("The last time a member raised NOSPACE, and how the cluster got out of it.")
  private NoSpaceRecovery noSpace;

  public Long getQuotaBytes() { return quotaBytes; }
  public void setQuotaBytes(Long quotaBytes) { this.quotaBytes = quotaBytes; }
  public List<MemberMaintenance> getMembers() { return members; }
  public void setMembers(List<MemberMaintenance> members) { this.members = members; }
  public NoSpaceRecovery getNoSpace() { return noSpace; }
  public void setNoSpace(NoSpaceRecovery noSpace) { this.noSpace = noSpace; }

  @Override
  public boolean equals(Object o) {
    return o instanceof MaintenanceStatus x && Objects.equals(quotaBytes, x.quotaBytes)
        && Objects.equals(members, x.members) && Objects.equals(noSpace, x.noSpace);
  }

  @Override
  public int hashCode() { return Objects.hash(quotaBytes, members, noSpace); }
}
