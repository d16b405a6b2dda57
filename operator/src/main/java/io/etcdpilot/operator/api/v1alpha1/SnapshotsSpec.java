package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Scheduled snapshots of the cluster. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SnapshotsSpec {
  @JsonPropertyDescription("5-field cron schedule (UNIX), e.g. '0 */6 * * *'. Empty: no schedule (on-demand EtcdSnapshots only).")
  private String schedule;
  @JsonPropertyDescription("Before a change of minor version (an upgrade, or a downgrade) a snapshot is taken, and the"
      + " change waits for it (default true). false goes on without one, also after one failed.")
  private Boolean beforeMinorChange;
  @JsonPropertyDescription("5-field cron schedule (UNIX) of restore drills: the newest snapshot is restored into a"
      + " short-lived pod (never a serving member) and etcd's hash, the revision and the key count are checked against"
      + " its manifest; the result is the BackupVerified condition. Empty: no drills. Needs a destination.")
  private String verify;
  @JsonPropertyDescription("IANA time zone of the schedule, default Etc/UTC.")
  private String timeZone;
  @JsonPropertyDescription("Which scheduled snapshots are kept.")
  private SnapshotRetention retention;
  @io.fabric8.generator.annotation.Pattern("^(zstd|gzip|none)$")
  @JsonPropertyDescription("zstd (default), gzip or none.")
  private String compression;
  @JsonPropertyDescription("Client-side encryption; absent: snapshots are stored as compressed only.")
  private SnapshotEncryption encryption;
  @JsonPropertyDescription("Where snapshots go; also the default of EtcdSnapshots naming this cluster.")
  private SnapshotDestination destination;
  @JsonPropertyDescription("true: an EtcdSnapshot of this cluster may name its own destination (with a credentials"
      + " Secret labelled etcdpilot.io/snapshot-credentials=true). Default false: snapshots go only to this cluster's"
      + " destination, so whoever may create EtcdSnapshots cannot send its data elsewhere.")
  private Boolean allowDestinationOverride;

  public Boolean getBeforeMinorChange() { return beforeMinorChange; }
  public void setBeforeMinorChange(Boolean beforeMinorChange) { this.beforeMinorChange = beforeMinorChange; }
  public Boolean getAllowDestinationOverride() { return allowDestinationOverride; }
  public void setAllowDestinationOverride(Boolean allowDestinationOverride) { this.allowDestinationOverride = allowDestinationOverride; }

  public String getVerify() { return verify; }
  public void setVerify(String verify) { this.verify = verify; }
  public String getSchedule() { return schedule; }
  public void setSchedule(String schedule) { this.schedule = schedule; }
  public String getTimeZone() { return timeZone; }
  public void setTimeZone(String timeZone) { this.timeZone = timeZone; }
  public SnapshotRetention getRetention() { return retention; }
  public void setRetention(SnapshotRetention retention) { this.retention = retention; }
  public String getCompression() { return compression; }
  public void setCompression(String compression) { this.compression = compression; }
  public SnapshotEncryption getEncryption() { return encryption; }
  public void setEncryption(SnapshotEncryption encryption) { this.encryption = encryption; }
  public SnapshotDestination getDestination() { return destination; }
  public void setDestination(SnapshotDestination destination) { this.destination = destination; }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SnapshotsSpec x)) return false;
    return Objects.equals(schedule, x.schedule)
        && Objects.equals(timeZone, x.timeZone)
        && Objects.equals(retention, x.retention)
        && Objects.equals(compression, x.compression)
        && Objects.equals(encryption, x.encryption)
        && Objects.equals(destination, x.destination)
        && Objects.equals(allowDestinationOverride, x.allowDestinationOverride)
        && Objects.equals(beforeMinorChange, x.beforeMinorChange)
        && Objects.equals(verify, x.verify);
  }

  @Override
  public int hashCode() { return Objects.hash(schedule, timeZone, retention, compression, encryption, destination,
      allowDestinationOverride, beforeMinorChange, verify); }
}
