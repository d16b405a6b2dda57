package io.etcdpilot.operator.etcd;

import io.etcdpilot.operator.model.TlsWiring;

/**
 * How the operator's client reaches a cluster. Built from the same {@link TlsWiring} as the members'
 * flags, so the client speaks exactly what the members listen for.
 */
public record EtcdConnection(String clusterKey, TlsWiring tls) {}
