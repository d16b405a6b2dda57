package io.etcdpilot.operator.etcd;

import java.util.List;

/**
 * One member as etcd reports it: identity from the member list, and (when the member answered its
 * status call) version, database size, raft position and whom it follows.
 */
public record ObservedMember(
    long id,
    String name,
    List<String> peerUrls,
    List<String> clientUrls,
    boolean learner,
    boolean reachable,
    String version,
    long dbSizeBytes,
    long raftIndex,
    long raftTerm,
    long leaderId,
    String error,
    /** The version of the member's data files (etcd 3.6+ reports it; null before). */
    String storageVersion,
    /** The minor version ("3.5") a downgrade etcd has enabled moves to; null when none is enabled (or before 3.6). */
    String downgradeTarget,
    /** Bytes of the database in use; the rest of dbSizeBytes is free pages a defragmentation gives back. */
    long dbSizeInUse,
    /** The key-value store's revision the member answered at. */
    long revision) {

  public ObservedMember(long id, String name, List<String> peerUrls, List<String> clientUrls, boolean learner,
      boolean reachable, String version, long dbSizeBytes, long raftIndex, long raftTerm, long leaderId, String error) {
    this(id, name, peerUrls, clientUrls, learner, reachable, version, dbSizeBytes, raftIndex, raftTerm, leaderId, error,
        null, null, dbSizeBytes, 0);
  }

  /** The same member with other database sizes (tests, and what a defragmentation leaves). */
  public ObservedMember withSizes(long dbSize, long inUse) {
    return new ObservedMember(id, name, peerUrls, clientUrls, learner, reachable, version, dbSize, raftIndex, raftTerm,
        leaderId, error, storageVersion, downgradeTarget, inUse, revision);
  }

  /** A member that was added but has never started has no name yet. */
  public boolean started() {
    return name != null && !name.isEmpty();
  }

  /** Founding members are named from the start; a member publishes its client URLs the first time it runs. */
  public boolean neverStarted() {
    return clientUrls == null || clientUrls.isEmpty();
  }

  public String idHex() {
    return Long.toHexString(id);
  }
}
