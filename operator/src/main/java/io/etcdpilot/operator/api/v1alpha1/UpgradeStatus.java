package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** A change of etcd version in progress. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UpgradeStatus {
  @JsonPropertyDescription("The version the cluster ran when the change started.")
  private String from;
  @JsonPropertyDescription("The version members are being moved to.")
  private String to;
  @JsonPropertyDescription("Members that run the new version, healthy.")
  private Integer membersDone;
  @JsonPropertyDescription("Members in all.")
  private Integer members;
  @JsonPropertyDescription("What the change waits for now (a member to become healthy, etcd's storage version, ...).")
  private String waitingOn;
  @JsonPropertyDescription("The EtcdSnapshot taken before the change of minor version: the way back.")
  private String snapshot;

  public UpgradeStatus() {}

  public UpgradeStatus(String from, String to, Integer membersDone, Integer members, String waitingOn) {
    this.from = from; this.to = to; this.membersDone = membersDone; this.members = members; this.waitingOn = waitingOn;
  }

  public String getSnapshot() { return snapshot; }
  public void setSnapshot(String snapshot) { this.snapshot = snapshot; }
  public String getFrom() { return from; }
  public void setFrom(String from) { this.from = from; }
  public String getTo() { return to; }
  public void setTo(String to) { this.to = to; }
  public Integer getMembersDone() { return membersDone; }
  public void setMembersDone(Integer membersDone) { this.membersDone = membersDone; }
  public Integer getMembers() { return members; }
  public void setMembers(Integer members) { this.members = members; }
  public String getWaitingOn() { return waitingOn; }
  public void setWaitingOn(String waitingOn) { this.waitingOn = waitingOn; }

  @Override
  public boolean equals(Object o) {
    return o instanceof UpgradeStatus u && Objects.equals(from, u.from) && Objects.equals(to, u.to)
        && Objects.equals(membersDone, u.membersDone) && Objects.equals(members, u.members)
        && Objects.equals(waitingOn, u.waitingOn) && Objects.equals(snapshot, u.snapshot);
  }

  @Override
  public int hashCode() { return Objects.hash(from, to, membersDone, members, waitingOn, snapshot); }
}
