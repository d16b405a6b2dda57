package io.etcdpilot.operator.etcd;

import java.util.List;

/** Changes the operator makes through etcd's API. */
public interface EtcdAdmin {
  /** Hands leadership to another voting member; sent to the current leader's client URL. */
  void moveLeader(EtcdConnection connection, String leaderClientUrl, long targetMemberId) throws Exception;

  /** Adds a non-voting learner with the given peer URL; returns its member ID. */
  long addLearner(EtcdConnection connection, List<String> clientUrls, String peerUrl) throws Exception;

  /**
   * Makes a caught-up learner a voter. Returns false when etcd says "not yet" (the learner is not in sync
   * with the leader), which is a normal answer, not an error.
   */
  boolean promote(EtcdConnection connection, List<String> clientUrls, long memberId) throws Exception;

  void removeMember(EtcdConnection connection, List<String> clientUrls, long memberId) throws Exception;

  /** etcd's downgrade actions, in the order of their protocol numbers. */
  enum DowngradeAction { VALIDATE, ENABLE, CANCEL }

  /**
   * etcd's downgrade call: VALIDATE checks a target minor ("3.5") is allowed, ENABLE moves the cluster version to it,
   * CANCEL stops a downgrade under way. Returns the cluster version etcd answers with.
   */
  String downgrade(EtcdConnection connection, List<String> clientUrls, DowngradeAction action, String version)
      throws Exception;

  /** Whether etcd's authentication is enabled (3.4 → 3.5 is not a rolling upgrade then). */
  boolean authEnabled(EtcdConnection connection, List<String> clientUrls) throws Exception;

  /** A member's database size and the bytes of it in use. */
  record DbUsage(long size, long inUse) {}

  /** Defragments one member (sent to its own client URL); returns its sizes once it is done. */
  DbUsage defragment(EtcdConnection connection, String memberClientUrl, java.time.Duration timeout) throws Exception;

  /** Compacts to the current revision and waits until the backend has freed the space; returns that revision. */
  long compactToCurrent(EtcdConnection connection, List<String> clientUrls) throws Exception;

  /** Disarms one alarm. */
  void disarm(EtcdConnection connection, List<String> clientUrls, EtcdAlarm alarm) throws Exception;
}
