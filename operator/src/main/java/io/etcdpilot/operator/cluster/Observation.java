package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.EtcdConnection;
import java.util.List;
import java.util.Optional;

/**
 * What the observe stage saw of etcd this pass, and how it reached it.
 *
 * @param connection empty before the operator has a client certificate
 * @param clientUrls the members asked, and the ones later calls go to
 * @param bootstrapped the members have formed a cluster (the ConfigMap says so, or etcd answers)
 * @param withoutQuorum when etcd gave no linearizable answer and a quorum recovery is asked for: what each member says
 *     of itself (a member answers its own status without a leader); empty otherwise
 */
record Observation(ClusterObservation etcd, Optional<EtcdConnection> connection, List<String> clientUrls,
    boolean bootstrapped, Optional<ClusterObservation> withoutQuorum) {
  Observation(ClusterObservation etcd, Optional<EtcdConnection> connection, List<String> clientUrls,
      boolean bootstrapped) {
    this(etcd, connection, clientUrls, bootstrapped, Optional.empty());
  }
}
