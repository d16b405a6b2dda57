package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** The snapshot a new cluster starts from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FromSnapshot {
  @JsonPropertyDescription("An EtcdSnapshot (Succeeded) in this namespace.")
  private String snapshotName;
  @JsonPropertyDescription("Or a snapshot's location, s3://bucket/key of its data object (its manifest lies beside it).")
  private String location;
  @JsonPropertyDescription("The store it is in. Default: the EtcdSnapshot's, its cluster's, then this cluster's spec.snapshots.destination.")
  private SnapshotDestination destination;
  @JsonPropertyDescription("Secret with the keyset it was encrypted with. Default: its cluster's, then this cluster's spec.snapshots.encryption.keySecretName.")
  private String encryptionKeySecretName;
  @io.fabric8.generator.annotation.Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription("With location: the cluster the snapshot was taken of, as namespace/name. Required with"
      + " location; the restore refuses a snapshot whose manifest names another cluster.")
  private String sourceCluster;
  @JsonPropertyDescription("true: this cluster may run with TLS off although the snapshot's cluster ran TLS (its data"
      + " then travels and is served in plain text). Default false: such a restore is refused.")
  private Boolean allowTlsOff;

  public String getSourceCluster() { return sourceCluster; }
  public void setSourceCluster(String sourceCluster) { this.sourceCluster = sourceCluster; }
  public Boolean getAllowTlsOff() { return allowTlsOff; }
  public void setAllowTlsOff(Boolean allowTlsOff) { this.allowTlsOff = allowTlsOff; }

  public String getSnapshotName() { return snapshotName; }
  public void setSnapshotName(String snapshotName) { this.snapshotName = snapshotName; }
  public String getLocation() { return location; }
  public void setLocation(String location) { this.location = location; }
  public SnapshotDestination getDestination() { return destination; }
  public void setDestination(SnapshotDestination destination) { this.destination = destination; }
  public String getEncryptionKeySecretName() { return encryptionKeySecretName; }
  public void setEncryptionKeySecretName(String encryptionKeySecretName) { this.encryptionKeySecretName = encryptionKeySecretName; }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof FromSnapshot x)) return false;
    return Objects.equals(snapshotName, x.snapshotName)
        && Objects.equals(location, x.location)
        && Objects.equals(destination, x.destination)
        && Objects.equals(encryptionKeySecretName, x.encryptionKeySecretName)
        && Objects.equals(sourceCluster, x.sourceCluster)
        && Objects.equals(allowTlsOff, x.allowTlsOff);
  }

  @Override
  public int hashCode() {
    return Objects.hash(snapshotName, location, destination, encryptionKeySecretName, sourceCluster, allowTlsOff);
  }
}
