package io.etcdpilot.operator.pki;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/** When a certificate is due for renewal: inside the renewal window before it expires, or already invalid. */
public record RenewalPolicy(Duration validity, Duration renewBefore) {

  public boolean due(X509Certificate cert, Instant now) {
    Instant notAfter = cert.getNotAfter().toInstant();
    return !now.isBefore(notAfter.minus(renewBefore)) || now.isBefore(cert.getNotBefore().toInstant());
  }

  /**
   * Due, and a new certificate from this issuer would actually live longer: a leaf cannot outlive its CA,
   * so near the CA's end renewing again and again would change nothing (the CA itself must be replaced).
   */
  public boolean dueFrom(X509Certificate cert, X509Certificate issuer, Instant now) {
    if (!due(cert, now)) return false;
    Instant notAfter = cert.getNotAfter().toInstant();
    if (!now.isBefore(notAfter) || now.isBefore(cert.getNotBefore().toInstant())) return true; // expired or not yet valid
    Instant possible = now.plus(validity);
    Instant caEnd = issuer.getNotAfter().toInstant();
    if (caEnd.isBefore(possible)) possible = caEnd;
    return possible.isAfter(notAfter.plus(Duration.ofMinutes(1)));
  }

  /** A renewal window larger than the validity would renew on every reconcile. */
  public static RenewalPolicy of(Duration validity, Duration renewBefore) {
    if (renewBefore.compareTo(validity) >= 0) {
      throw new IllegalArgumentException("renewBefore (" + renewBefore + ") must be shorter than validity (" + validity + ")");
    }
    return new RenewalPolicy(validity, renewBefore);
  }
}
