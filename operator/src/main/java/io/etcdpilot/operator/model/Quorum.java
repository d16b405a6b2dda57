package io.etcdpilot.operator.model;

/** Raft quorum arithmetic for a set of voting members. */
public final class Quorum {
  private Quorum() {}

  /** Votes needed to make progress: a strict majority. */
  public static int of(int voters) {
    if (voters < 1) throw new IllegalArgumentException("voters must be at least 1, was " + voters);
    return voters / 2 + 1;
  }

  /** Members that may be down while the cluster keeps quorum. */
  public static int faultTolerance(int voters) {
    return voters - of(voters);
  }
}
