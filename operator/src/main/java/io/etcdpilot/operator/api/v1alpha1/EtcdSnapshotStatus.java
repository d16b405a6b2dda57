package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** What happened to the snapshot. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EtcdSnapshotStatus {
  @JsonPropertyDescription("Pending, Running, Succeeded or Failed; fixed once Succeeded or Failed.")
  private String phase;
  @JsonPropertyDescription("When streaming began.")
  private String startTime;
  @JsonPropertyDescription("When it succeeded or failed.")
  private String completionTime;
  @JsonPropertyDescription("The member it was taken from.")
  private String member;
  @JsonPropertyDescription("etcd revision of the snapshot.")
  private Long revision;
  @JsonPropertyDescription("etcd version of the member it was taken from.")
  private String etcdVersion;
  @JsonPropertyDescription("Bytes stored (after compression and encryption).")
  private Long size;
  @JsonPropertyDescription("Size of the database as etcd sent it.")
  private Long dbSize;
  @JsonPropertyDescription("sha256 of the database as etcd sent it (checked in-stream against etcd's own).")
  private String sha256;
  @JsonPropertyDescription("s3://bucket/key of the stored snapshot; a manifest lies beside it (.json).")
  private String location;
  @JsonPropertyDescription("The object store it was stored in, as resolved when it ran (its own destination or its"
      + " cluster's then); deleting the objects uses it, even once the cluster is gone.")
  private S3Destination storedIn;
  @JsonPropertyDescription("Why it failed, or a summary.")
  private String message;
  @JsonPropertyDescription("Tink key id of the keyset it was encrypted with; absent when not encrypted.")
  private Long encryptionKeyId;
  @JsonPropertyDescription("The Secret holding that keyset, when it was taken.")
  private String encryptionKeySecretName;
  @JsonPropertyDescription("Whether its cluster ran TLS when it was taken.")
  private Boolean tls;

  public String getEncryptionKeySecretName() { return encryptionKeySecretName; }
  public void setEncryptionKeySecretName(String v) { this.encryptionKeySecretName = v; }
  public Long getEncryptionKeyId() { return encryptionKeyId; }
  public void setEncryptionKeyId(Long encryptionKeyId) { this.encryptionKeyId = encryptionKeyId; }
  public Boolean getTls() { return tls; }
  public void setTls(Boolean tls) { this.tls = tls; }
  @JsonPropertyDescription("Ready, Reconciling, Stalled (kstatus).")
  private java.util.List<io.fabric8.kubernetes.api.model.Condition> conditions;

  public String getPhase() { return phase; }
  public void setPhase(String phase) { this.phase = phase; }
  public String getStartTime() { return startTime; }
  public void setStartTime(String startTime) { this.startTime = startTime; }
  public String getCompletionTime() { return completionTime; }
  public void setCompletionTime(String completionTime) { this.completionTime = completionTime; }
  public String getMember() { return member; }
  public void setMember(String member) { this.member = member; }
  public Long getRevision() { return revision; }
  public void setRevision(Long revision) { this.revision = revision; }
  public String getEtcdVersion() { return etcdVersion; }
  public void setEtcdVersion(String etcdVersion) { this.etcdVersion = etcdVersion; }
  public Long getSize() { return size; }
  public void setSize(Long size) { this.size = size; }
  public Long getDbSize() { return dbSize; }
  public void setDbSize(Long dbSize) { this.dbSize = dbSize; }
  public String getSha256() { return sha256; }
  public void setSha256(String sha256) { this.sha256 = sha256; }
  public String getLocation() { return location; }
  public void setLocation(String location) { this.location = location; }
  public S3Destination getStoredIn() { return storedIn; }
  public void setStoredIn(S3Destination storedIn) { this.storedIn = storedIn; }
  public String getMessage() { return message; }
  public void setMessage(String message) { this.message = message; }
  public java.util.List<io.fabric8.kubernetes.api.model.Condition> getConditions() { return conditions; }
  public void setConditions(java.util.List<io.fabric8.kubernetes.api.model.Condition> conditions) { this.conditions = conditions; }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof EtcdSnapshotStatus x)) return false;
    return Objects.equals(phase, x.phase)
        && Objects.equals(startTime, x.startTime)
        && Objects.equals(completionTime, x.completionTime)
        && Objects.equals(member, x.member)
        && Objects.equals(revision, x.revision)
        && Objects.equals(etcdVersion, x.etcdVersion)
        && Objects.equals(size, x.size)
        && Objects.equals(dbSize, x.dbSize)
        && Objects.equals(sha256, x.sha256)
        && Objects.equals(encryptionKeyId, x.encryptionKeyId)
        && Objects.equals(encryptionKeySecretName, x.encryptionKeySecretName)
        && Objects.equals(tls, x.tls)
        && Objects.equals(location, x.location)
        && Objects.equals(storedIn, x.storedIn)
        && Objects.equals(message, x.message)
        && Objects.equals(conditions, x.conditions);
  }

  @Override
  public int hashCode() { return Objects.hash(phase, startTime, completionTime, member, revision, etcdVersion, size, dbSize, sha256, location, storedIn, message, conditions, encryptionKeyId, encryptionKeySecretName,
      tls); }
}
