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

  public String getClusterName() { return clusterName; }
  public void setClusterName(String clusterName) { this.clusterName = clusterName; }
  public SnapshotDestination getDestination() { return destination; }
  public void setDestination(SnapshotDestination destination) { this.destination = destination; }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof EtcdSnapshotSpec x)) return false;
    return Objects.equals(clusterName, x.clusterName)
        && Objects.equals(destination, x.destination);
  }

  @Override
  public int hashCode() { return Objects.hash(clusterName, destination); }
}
