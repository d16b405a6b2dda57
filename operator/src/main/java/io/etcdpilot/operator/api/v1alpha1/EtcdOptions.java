package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** etcd options users may tune. Membership and URL flags are derived by the operator, never taken from here. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EtcdOptions {
  public enum AutoCompactionMode { periodic, revision }

  @Min(0)
  @Max(8589934592L)
  @JsonPropertyDescription("Backend quota in bytes (--quota-backend-bytes). 0 or empty: etcd's default (2 GiB). At most 8 GiB.")
  private Long quotaBackendBytes;

  @JsonPropertyDescription("Auto-compaction mode: periodic (default) or revision.")
  private AutoCompactionMode autoCompactionMode;

  @Pattern("^([0-9]+|[0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$")
  @JsonPropertyDescription("Auto-compaction retention: a duration (1h, 30m) for periodic, a revision count for revision. Default 1h; 0 turns it off.")
  private String autoCompactionRetention;

  @Min(1)
  @JsonPropertyDescription("Committed transactions that trigger a snapshot to disk (--snapshot-count).")
  private Long snapshotCount;

  @Min(10)
  @Max(5000)
  @JsonPropertyDescription("Heartbeat interval in milliseconds (--heartbeat-interval). Default 100.")
  private Integer heartbeatIntervalMillis;

  @Min(50)
  @Max(50000)
  @JsonPropertyDescription("Election timeout in milliseconds (--election-timeout), at least 5x the heartbeat. Default 1000.")
  private Integer electionTimeoutMillis;

  public Long getQuotaBackendBytes() { return quotaBackendBytes; }
  public void setQuotaBackendBytes(Long quotaBackendBytes) { this.quotaBackendBytes = quotaBackendBytes; }
  public AutoCompactionMode getAutoCompactionMode() { return autoCompactionMode; }
  public void setAutoCompactionMode(AutoCompactionMode autoCompactionMode) { this.autoCompactionMode = autoCompactionMode; }
  public String getAutoCompactionRetention() { return autoCompactionRetention; }
  public void setAutoCompactionRetention(String autoCompactionRetention) { this.autoCompactionRetention = autoCompactionRetention; }
  public Long getSnapshotCount() { return snapshotCount; }
  public void setSnapshotCount(Long snapshotCount) { this.snapshotCount = snapshotCount; }
  public Integer getHeartbeatIntervalMillis() { return heartbeatIntervalMillis; }
  public void setHeartbeatIntervalMillis(Integer v) { this.heartbeatIntervalMillis = v; }
  public Integer getElectionTimeoutMillis() { return electionTimeoutMillis; }
  public void setElectionTimeoutMillis(Integer v) { this.electionTimeoutMillis = v; }
}
