package io.etcdpilot.operator.etcd;

/** Changes the operator makes through etcd's API. */
public interface EtcdAdmin {
  /** Hands leadership to another voting member; sent to the current leader's client URL. */
  void moveLeader(EtcdConnection connection, String leaderClientUrl, long targetMemberId) throws Exception;
}
