package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** An etcd snapshot to take once. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EtcdSnapshotSpec {
  @io.fabric8.generator.annotation.Required
  @JsonPropertyDescription("The EtcdCluster (same namespace) to snapshot.")
  private String clusterName;
  @JsonPropertyDescription("Where to store it. Default: the cluster's spec.snapshots.destination.")
  private SnapshotDestination destination;
  @JsonPropertyDescription("Deleting this EtcdSnapshot also deletes its stored objects (data and manifest). Default false:"
      + " a record deleted by GitOps or with its namespace never destroys a backup. May be changed at any time.")
  private Boolean deleteObjectsOnDelete;
  @JsonPropertyDescription("Take it from this member (its pod's name), even while the cluster has no quorum: what a"
      + " quorum recovery does with the member that survived. Default: a healthy follower, with quorum.")
  private String member;

  public String getMember() { return member; }
  public void setMember(String member) { this.member = member; }
  public String getClusterName() { return clusterName; }
  public void setClusterName(String clusterName) { this.clusterName = clusterName; }
  public SnapshotDestination getDestination() { return destination; }
  public void setDestination(SnapshotDestination destination) { this.destination = destination; }
  public Boolean getDeleteObjectsOnDelete() { return deleteObjectsOnDelete; }
  public void setDeleteObjectsOnDelete(Boolean deleteObjectsOnDelete) { this.deleteObjectsOnDelete = deleteObjectsOnDelete; }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof EtcdSnapshotSpec x)) return false;
    return Objects.equals(clusterName, x.clusterName)
        && Objects.equals(destination, x.destination)
        && Objects.equals(deleteObjectsOnDelete, x.deleteObjectsOnDelete) && Objects.equals(member, x.member);
  }

  @Override
  public int hashCode() { return Objects.hash(clusterName, destination, deleteObjectsOnDelete, member); }
}
