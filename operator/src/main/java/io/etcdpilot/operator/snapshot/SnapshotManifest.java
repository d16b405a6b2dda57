package io.etcdpilot.operator.snapshot;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * The small JSON object stored beside each snapshot ({@code <key>.json}): everything a restore needs to know about
 * the snapshot without the cluster or its EtcdSnapshot, so that the bucket alone is enough.
 */
public record SnapshotManifest(
    int formatVersion,
    String cluster,
    String namespace,
    String clusterId,
    long revision,
    String etcdVersion,
    String member,
    /** sha256 of the database as etcd sent it (and as etcd's own trailer says). */
    String sha256,
    long dbSize,
    long storedSize,
    String compression,
    /** Tink keyset primary key id; null when not encrypted. */
    Long encryptionKeyId,
    String object,
    String time,
    /** The EtcdCluster's uid: retention and restores check that a manifest is their own cluster's (format 2 on). */
    String clusterUid,
    /** The EtcdSnapshot record's uid. */
    String snapshotUid,
    /** Whether the cluster ran TLS: a restore into a cluster without it must be asked for. */
    Boolean tls,
    /** What the member held at {@code revision}, for restore drills to compare with (format 3 on; null before). */
    Contents contents) {

  public static final int FORMAT = 3;

  /**
   * The member's keys at the snapshot's revision, and etcd's KV hash of its history up to it (what etcd's own
   * corruption check compares between members).
   *
   * @param compactRevision the compaction the hash starts from: a restored copy compacted further hashes differently
   */
  public record Contents(long keys, long hashKV, long compactRevision) {}
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public String toJson() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static SnapshotManifest fromJson(String json) throws IOException {
    return JSON.readValue(json, SnapshotManifest.class);
  }
}
