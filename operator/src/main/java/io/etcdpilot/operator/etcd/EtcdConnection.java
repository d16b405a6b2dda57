package io.etcdpilot.operator.etcd;

import io.etcdpilot.operator.model.TlsWiring;

/**
 * How the operator's client reaches a cluster. Built from the same {@link TlsWiring} as the members'
 * flags, so the client speaks exactly what the members listen for; with TLS on, it presents the
 * operator's client certificate and trusts the cluster's CA bundle (PEM).
 */
public record EtcdConnection(String clusterKey, TlsWiring tls, String trustBundlePem, String clientCertPem,
    String clientKeyPem) {

  public static EtcdConnection plain(String clusterKey) {
    return new EtcdConnection(clusterKey, new TlsWiring(false), null, null, null);
  }

  @Override
  public String toString() {
    return "EtcdConnection[" + clusterKey + ", tls=" + tls.enabled() + "]";
  }
}
