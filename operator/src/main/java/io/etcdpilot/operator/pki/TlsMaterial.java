package io.etcdpilot.operator.pki;

import java.time.Instant;

/**
 * What the rest of the operator needs from the PKI after one reconcile: the trust bundle and the
 * operator's own client credentials (PEM), a hash of the bundle for the pod template (changing trust
 * needs a member restart), and expiry dates for status. Never logged.
 */
public record TlsMaterial(String trustBundlePem, String clientCertPem, String clientKeyPem, String trustBundleHash,
    Instant caNotAfter, Instant earliestLeafNotAfter, String phase) {

  @Override
  public String toString() {
    return "TlsMaterial[phase=" + phase + ", trustBundleHash=" + trustBundleHash + "]";
  }
}
