package io.etcdpilot.operator.model;

import io.etcdpilot.operator.api.v1alpha1.EtcdOptions;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Optional;

/**
 * The backend quota members run with. etcd's own default is 2 GiB whatever the volume; a cluster on an 8 GiB volume
 * would turn read-only at a quarter of its disk. Unless the spec sets one, the quota is derived from the volume: 80 %
 * of it (room for the WAL, snapshots and a defragmentation's copy), at most etcd's supported 8 GiB.
 */
public final class BackendQuota {
  public static final long GIB = 1L << 30;
  /** etcd supports quotas up to 8 GiB. */
  public static final long ETCD_MAX = 8 * GIB;
  /** etcd's default when no quota is given. */
  public static final long ETCD_DEFAULT = 2 * GIB;
  static final int DERIVED_PERCENT = 80;
  /** A quota above this share of the volume leaves no room for the WAL and snapshots: refused. */
  static final int MAX_PERCENT = 90;

  private BackendQuota() {}

  /** The quota for members on volumes of {@code volumeBytes}. */
  public static long of(EtcdOptions options, long volumeBytes) {
    Long explicit = options == null ? null : options.getQuotaBackendBytes();
    if (explicit != null && explicit > 0) return explicit;
    return derived(volumeBytes);
  }

  static long derived(long volumeBytes) {
    return Math.min(ETCD_MAX, volumeBytes / 100 * DERIVED_PERCENT);
  }

  /** Why an explicit quota does not fit the volume; empty when it does (or none is set). */
  public static Optional<String> misfit(EtcdOptions options, long volumeBytes) {
    Long explicit = options == null ? null : options.getQuotaBackendBytes();
    if (explicit == null || explicit <= 0 || explicit <= volumeBytes / 100 * MAX_PERCENT) return Optional.empty();
    return Optional.of(explicit + " bytes is more than " + MAX_PERCENT + "% of spec.storage.size ("
        + volumeBytes + " bytes): the WAL, snapshots and a defragmentation need the rest; lower"
        + " spec.etcd.quotaBackendBytes or raise spec.storage.size");
  }

  public static long bytes(String quantity) {
    return Quantity.getAmountInBytes(new Quantity(quantity)).longValueExact();
  }

  /** Bytes in MiB, one decimal, for messages. */
  public static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }
}
