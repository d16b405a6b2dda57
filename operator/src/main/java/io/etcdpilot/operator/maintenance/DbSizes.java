package io.etcdpilot.operator.maintenance;

/** One member's database as a defragmentation rule sees it: size on disk, bytes in use, and the quota. */
public record DbSizes(long dbSize, long dbSizeInUse, long dbQuota) {
  /** Free pages: what a defragmentation gives back. */
  public long free() {
    return Math.max(0, dbSize - dbSizeInUse);
  }

  /** dbSize / dbQuota (0..1, above 1 past the quota). */
  public double quotaUsage() {
    return dbQuota <= 0 ? 0 : (double) dbSize / dbQuota;
  }
}
