package io.etcdpilot.operator.model;

/**
 * The single source of truth for how transport security is wired: URL scheme, etcd flags and the
 * operator's client all derive from this, so they can never disagree (certificates mounted while etcd
 * still speaks http is a classic half-wired failure).
 */
public record TlsWiring(boolean enabled) {
  /** Where the member Secret is mounted; each member picks its own files by pod name. */
  public static final String CERT_DIR = "/etc/etcdpilot/tls";
  public static final String SERVER_CERT = CERT_DIR + "/$(POD_NAME)-server.crt";
  public static final String SERVER_KEY = CERT_DIR + "/$(POD_NAME)-server.key";
  public static final String PEER_CERT = CERT_DIR + "/$(POD_NAME)-peer.crt";
  public static final String PEER_KEY = CERT_DIR + "/$(POD_NAME)-peer.key";
  public static final String TRUSTED_CA = CERT_DIR + "/ca.crt";

  public static TlsWiring of(io.etcdpilot.operator.api.v1alpha1.EtcdClusterSpec spec) {
    return new TlsWiring(spec.getTls() == null || spec.getTls().getEnabled() == null || spec.getTls().getEnabled());
  }

  public String scheme() {
    return enabled ? "https" : "http";
  }
}
