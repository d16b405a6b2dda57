package io.etcdpilot.operator.model;

/**
 * What members trust, decided by the PKI on each pass and rendered into the pod template because etcd reads it only
 * at start: the hash of the CA bundle, and the name members require on peer certificates (null: any certificate
 * from the bundle is accepted on the peer port, as on clusters whose peer certificates predate that name).
 */
public record MemberTrust(String bundleHash, String peerAllowedHostname) {
  public static final MemberTrust NONE = new MemberTrust(null, null);
}
