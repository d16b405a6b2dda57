package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the operator last saw and did: members, leader, version, the step in flight, snapshots, certificates, conditions. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EtcdClusterStatus {
  private Long observedGeneration;
  @StatusReplicas
  @JsonPropertyDescription("Members that exist (pods of the StatefulSet).")
  private Integer replicas;
  @JsonPropertyDescription("Members that are started and healthy.")
  private Integer readyReplicas;
  @LabelSelector
  @JsonPropertyDescription("Label selector of member pods, for the scale subresource.")
  private String selector;
  @JsonPropertyDescription("Lowest etcd version any member reports.")
  private String version;
  @JsonPropertyDescription("etcd cluster ID (hex).")
  private String clusterID;
  @JsonPropertyDescription("Name of the leading member.")
  private String leader;
  private List<MemberStatus> members = new ArrayList<>();
  @JsonPropertyDescription("The step in flight, persisted so a restarted operator resumes it.")
  private Operation operation;
  @JsonPropertyDescription("The last member that failed to join; adding members stays stopped until the spec changes.")
  private MemberFailure memberFailure;
  @JsonPropertyDescription("A change of etcd version in progress; absent when every member runs the rendered version.")
  private UpgradeStatus upgrade;
  @JsonPropertyDescription("The newest successful snapshot.")
  private LastSnapshot lastSnapshot;
  @JsonPropertyDescription("When the schedule takes the next snapshot.")
  private String nextSnapshotTime;
  @JsonPropertyDescription("When the schedule last created a snapshot (or skipped one): the schedule counts from here.")
  private String lastScheduleTime;
  @JsonPropertyDescription("Certificate expiry dates (TLS on).")
  private CertificateStatus certificates;
  @JsonPropertyDescription("Quota, defragmentations and NOSPACE recoveries.")
  private MaintenanceStatus maintenance;
  @JsonPropertyDescription("Restore drills (spec.snapshots.verify): the last one and the last that passed.")
  private BackupStatus backup;
  private List<Condition> conditions = new ArrayList<>();

  public Long getObservedGeneration() { return observedGeneration; }
  public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
  public Integer getReplicas() { return replicas; }
  public void setReplicas(Integer replicas) { this.replicas = replicas; }
  public Integer getReadyReplicas() { return readyReplicas; }
  public void setReadyReplicas(Integer readyReplicas) { this.readyReplicas = readyReplicas; }
  public String getSelector() { return selector; }
  public void setSelector(String selector) { this.selector = selector; }
  public String getVersion() { return version; }
  public void setVersion(String version) { this.version = version; }
  public String getClusterID() { return clusterID; }
  public void setClusterID(String clusterID) { this.clusterID = clusterID; }
  public String getLeader() { return leader; }
  public void setLeader(String leader) { this.leader = leader; }
  public List<MemberStatus> getMembers() { return members; }
  public void setMembers(List<MemberStatus> members) { this.members = members; }
  public Operation getOperation() { return operation; }
  public void setOperation(Operation operation) { this.operation = operation; }
  public MemberFailure getMemberFailure() { return memberFailure; }
  public void setMemberFailure(MemberFailure memberFailure) { this.memberFailure = memberFailure; }
  public UpgradeStatus getUpgrade() { return upgrade; }
  public void setUpgrade(UpgradeStatus upgrade) { this.upgrade = upgrade; }
  public LastSnapshot getLastSnapshot() { return lastSnapshot; }
  public void setLastSnapshot(LastSnapshot lastSnapshot) { this.lastSnapshot = lastSnapshot; }
  public String getNextSnapshotTime() { return nextSnapshotTime; }
  public void setNextSnapshotTime(String nextSnapshotTime) { this.nextSnapshotTime = nextSnapshotTime; }
  public String getLastScheduleTime() { return lastScheduleTime; }
  public void setLastScheduleTime(String lastScheduleTime) { this.lastScheduleTime = lastScheduleTime; }
  public CertificateStatus getCertificates() { return certificates; }
  public void setCertificates(CertificateStatus certificates) { this.certificates = certificates; }
  public List<Condition> getConditions() { return conditions; }
  public void setConditions(List<Condition> conditions) { this.conditions = conditions; }

  public BackupStatus getBackup() { return backup; }
  public void setBackup(BackupStatus backup) { this.backup = backup; }
  public MaintenanceStatus getMaintenance() { return maintenance; }
  public void setMaintenance(MaintenanceStatus maintenance) { this.maintenance = maintenance; }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof EtcdClusterStatus s)) return false;
    return Objects.equals(observedGeneration, s.observedGeneration) && Objects.equals(replicas, s.replicas)
        && Objects.equals(readyReplicas, s.readyReplicas) && Objects.equals(selector, s.selector)
        && Objects.equals(version, s.version) && Objects.equals(clusterID, s.clusterID)
        && Objects.equals(leader, s.leader) && Objects.equals(members, s.members)
        && Objects.equals(operation, s.operation) && Objects.equals(memberFailure, s.memberFailure)
        && Objects.equals(upgrade, s.upgrade) && Objects.equals(certificates, s.certificates)
        && Objects.equals(lastSnapshot, s.lastSnapshot) && Objects.equals(nextSnapshotTime, s.nextSnapshotTime)
        && Objects.equals(lastScheduleTime, s.lastScheduleTime) && Objects.equals(maintenance, s.maintenance)
        && Objects.equals(backup, s.backup)
        && Objects.equals(conditions, s.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, replicas, readyReplicas, selector, version, clusterID, leader, members,
        operation, memberFailure, upgrade, certificates, lastSnapshot, nextSnapshotTime, lastScheduleTime, maintenance, backup,
        conditions);
  }
}
