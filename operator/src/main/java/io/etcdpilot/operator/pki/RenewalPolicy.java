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

  /** A renewal window larger than the validity would renew on every reconcile. */
  public static RenewalPolicy of(Duration validity, Duration renewBefore) {
    if (renewBefore.compareTo(validity) >= 0) {
      throw new IllegalArgumentException("renewBefore (" + renewBefore + ") must be shorter than validity (" + validity + ")");
    }
    return new RenewalPolicy(validity, renewBefore);
  }
}
