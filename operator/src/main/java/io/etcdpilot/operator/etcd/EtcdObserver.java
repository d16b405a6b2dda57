package io.etcdpilot.operator.etcd;

import java.util.List;

/** Reads membership and per-member status from a running etcd cluster. */
public interface EtcdObserver {
  /**
   * @param clientUrls client URLs of the members the operator expects; any reachable one answers the
   *     member list, and every listed member is asked for its own status.
   */
  ClusterObservation observe(EtcdConnection connection, List<String> clientUrls);

  /** Lets go of what is kept for clusters other than these (they were deleted). Keys as in {@link EtcdConnection}. */
  default void retainClusters(java.util.Set<String> clusterKeys) {}
}
