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
 */
record Observation(ClusterObservation etcd, Optional<EtcdConnection> connection, List<String> clientUrls,
    boolean bootstrapped) {}
