package io.etcdpilot.operator.model;

/**
 * The single source of truth for how transport security is wired: URL scheme, etcd flags and the
 * operator's client all derive from this, so they can never disagree (certificates mounted while etcd
 * still speaks http is a classic half-wired failure).
 */
public record TlsWiring(boolean enabled) {
  public static final String CERT_DIR = "/etc/etcdpilot/tls";
  public static final String SERVER_CERT = CERT_DIR + "/server/tls.crt";
  public static final String SERVER_KEY = CERT_DIR + "/server/tls.key";
  public static final String PEER_CERT = CERT_DIR + "/peer/tls.crt";
  public static final String PEER_KEY = CERT_DIR + "/peer/tls.key";
  public static final String TRUSTED_CA = CERT_DIR + "/ca/ca.crt";

  public String scheme() {
    return enabled ? "https" : "http";
  }
}
