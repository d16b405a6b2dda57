package io.etcdpilot.operator.etcd;

import java.util.List;

/** Reads membership and per-member status from a running etcd cluster. */
public interface EtcdObserver {
  /** How the member list is read. */
  enum MemberList {
    /** Linearizable (etcd 3.5+): the first member to answer gives a list that reflects every committed change. */
    LINEARIZABLE,
    /**
     * Every member is asked and the lists of a majority of the voters must agree (etcd 3.4 answers from its own,
     * possibly lagging, view: a list missing a just-added voter must not decide a membership step).
     */
    MAJORITY_AGREEING
  }

  /**
   * @param clientUrls client URLs of the members the operator expects; they answer the member list, and every listed
   *     member is asked for its own status.
   */
  ClusterObservation observe(EtcdConnection connection, List<String> clientUrls, MemberList list);

  default ClusterObservation observe(EtcdConnection connection, List<String> clientUrls) {
    return observe(connection, clientUrls, MemberList.LINEARIZABLE);
  }

  /** Lets go of what is kept for clusters other than these (they were deleted). Keys as in {@link EtcdConnection}. */
  default void retainClusters(java.util.Set<String> clusterKeys) {}
}
