package io.etcdpilot.operator.pki;

import java.time.Instant;

/**
 * What the rest of the operator needs from the PKI after one reconcile: the trust bundle and the
 * operator's own client credentials (PEM), a hash of the bundle for the pod template (changing trust
 * needs a member restart), expiry dates for status, the name members require from peers (null until every
 * member's peer certificate carries it and has had time to reach the members) and when a waiting step may go on.
 * Never logged.
 */
public record TlsMaterial(String trustBundlePem, String clientCertPem, String clientKeyPem, String trustBundleHash,
    Instant caNotAfter, Instant earliestLeafNotAfter, String phase, String peerAllowedHostname,
    String clientAllowedHostname, Instant settlesAt) {

  @Override
  public String toString() {
    return "TlsMaterial[phase=" + phase + ", trustBundleHash=" + trustBundleHash + "]";
  }
}
