package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One member as etcd reports it, in words that change only when something a user would notice changes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MemberStatus {
  public enum Role { leader, follower, learner }

  private String name;
  @JsonPropertyDescription("etcd member ID (hex).")
  private String id;
  private Role role;
  private Boolean healthy;
  private String version;
  @JsonPropertyDescription("Backend database size, rounded to MiB so that status does not churn with traffic.")
  private String dbSize;
  @JsonPropertyDescription("Bytes of the database in use (the rest is free space a defragmentation gives back), rounded to MiB.")
  private String dbSizeInUse;
  @JsonPropertyDescription("99th percentile of its WAL fsyncs since the operator's last look, from its metrics (upper bound of the bucket).")
  private String walFsyncP99;
  @JsonPropertyDescription("Why the member is not healthy, in stable words (absent while it is healthy).")
  private String error;

  public MemberStatus() {}

  public MemberStatus(String name, String id, Role role, Boolean healthy, String version, String dbSize) {
    this.name = name; this.id = id; this.role = role; this.healthy = healthy; this.version = version; this.dbSize = dbSize;
  }

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public String getId() { return id; }
  public void setId(String id) { this.id = id; }
  public Role getRole() { return role; }
  public void setRole(Role role) { this.role = role; }
  public Boolean getHealthy() { return healthy; }
  public void setHealthy(Boolean healthy) { this.healthy = healthy; }
  public String getVersion() { return version; }
  public void setVersion(String version) { this.version = version; }
  public String getDbSize() { return dbSize; }
  public void setDbSize(String dbSize) { this.dbSize = dbSize; }
  public String getDbSizeInUse() { return dbSizeInUse; }
  public void setDbSizeInUse(String dbSizeInUse) { this.dbSizeInUse = dbSizeInUse; }
  public String getWalFsyncP99() { return walFsyncP99; }
  public void setWalFsyncP99(String walFsyncP99) { this.walFsyncP99 = walFsyncP99; }
  public String getError() { return error; }
  public void setError(String error) { this.error = error; }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof MemberStatus m)) return false;
    return Objects.equals(name, m.name) && Objects.equals(id, m.id) && role == m.role
        && Objects.equals(healthy, m.healthy) && Objects.equals(version, m.version) && Objects.equals(dbSize, m.dbSize)
        && Objects.equals(dbSizeInUse, m.dbSizeInUse)
        && Objects.equals(walFsyncP99, m.walFsyncP99)
        && Objects.equals(error, m.error);
  }

  @Override
  public int hashCode() { return Objects.hash(name, id, role, healthy, version, dbSize, dbSizeInUse, walFsyncP99, error); }
}
