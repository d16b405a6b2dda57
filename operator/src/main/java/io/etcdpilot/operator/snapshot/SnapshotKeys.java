package io.etcdpilot.operator.snapshot;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.api.v1alpha1.S3Destination;

/**
 * Where one snapshot's objects lie in its bucket: {@code <prefix>/<namespace>/<cluster>/<cluster uid>/<snapshot>-<record
 * uid>.db[.zst|.gz][.enc]} and its manifest beside it ({@code .json}). Two clusters of the same name in two namespaces,
 * a cluster re-created under its old name, and two records of the same name never share a key, whatever the prefix.
 */
public record SnapshotKeys(String namespace, String cluster, String clusterUid, String snapshot, String snapshotUid) {
  public static SnapshotKeys of(EtcdSnapshot snapshot, EtcdCluster cluster) {
    return new SnapshotKeys(snapshot.getMetadata().getNamespace(), cluster.getMetadata().getName(),
        cluster.getMetadata().getUid(), snapshot.getMetadata().getName(), snapshot.getMetadata().getUid());
  }

  public String dataKey(S3Destination d, String compression, boolean encrypted) {
    return base(d) + ".db" + Compression.of(compression).suffix + (encrypted ? ".enc" : "");
  }

  public String manifestKey(S3Destination d) {
    return base(d) + ".json";
  }

  /** The cluster's folder: every snapshot of it (of any incarnation) lies below. */
  public static String clusterFolder(S3Destination d, String namespace, String cluster) {
    return ObjectStore.prefixed(d, namespace + "/" + cluster + "/");
  }

  /** What this record's data key ends with, whatever its compression and encryption. */
  public String dataKeyEnding() {
    return "/" + snapshot + "-" + snapshotUid + ".db";
  }

  private String base(S3Destination d) {
    return ObjectStore.prefixed(d, namespace + "/" + cluster + "/" + clusterUid + "/" + snapshot + "-" + snapshotUid);
  }
}
