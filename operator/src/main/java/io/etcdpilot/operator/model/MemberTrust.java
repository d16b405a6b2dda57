package io.etcdpilot.operator.model;

/**
 * What members trust, decided by the PKI on each pass and rendered into the pod template because etcd reads it only
 * at start: the hash of the CA bundle, and the name members require on peer certificates (null: any certificate
 * from the bundle is accepted on the peer port, as on clusters whose peer certificates predate that name), and the name
 * required on client certificates (with a CA the user shares with other workloads, so that not every certificate it
 * issued is an etcd credential; null: any).
 */
public record MemberTrust(String bundleHash, String peerAllowedHostname, String clientAllowedHostname) {
  public static final MemberTrust NONE = new MemberTrust(null, null, null);

  /** Without a client identity: any client certificate of the trusted CAs is accepted on the client port. */
  public MemberTrust(String bundleHash, String peerAllowedHostname) {
    this(bundleHash, peerAllowedHostname, null);
  }
}
