package io.etcdpilot.operator.pki;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether a CA the user provides can issue etcd's certificates, checked before anything is issued from it: a key that
 * does not belong to the certificate would sign leaves no member trusts (connections churn as certificates renew,
 * quorum goes, and the operator locks itself out); a CA that expired or may not sign certificates is no better.
 */
public final class CaCheck {
  private static final SecureRandom RANDOM = new SecureRandom();

  private CaCheck() {}

  /** Why the CA cannot be used; empty when it can. */
  public static Optional<String> problem(CertificateAuthority ca, Instant now) {
    var cert = ca.certificate();
    if (cert.getBasicConstraints() < 0) return Optional.of("the certificate is not a CA (basicConstraints CA:false)");
    boolean[] usage = cert.getKeyUsage();
    if (usage != null && (usage.length <= 5 || !usage[5])) {
      return Optional.of("the certificate may not sign certificates (its keyUsage lacks keyCertSign)");
    }
    if (cert.getNotAfter().toInstant().isBefore(now)) {
      return Optional.of("the CA expired on " + cert.getNotAfter().toInstant());
    }
    if (cert.getNotBefore().toInstant().isAfter(now)) {
      return Optional.of("the CA is not valid before " + cert.getNotBefore().toInstant());
    }
    PublicKey pub = cert.getPublicKey();
    if (!(pub instanceof RSAPublicKey) && !(pub instanceof ECPublicKey)) {
      return Optional.of("its key is " + pub.getAlgorithm() + "; RSA and ECDSA CA keys are supported");
    }
    if (!ca.key().getAlgorithm().equals(pub.getAlgorithm()) && !(ca.key().getAlgorithm().equals("ECDSA")
        && pub.getAlgorithm().equals("EC"))) {
      return Optional.of("tls.key is an " + ca.key().getAlgorithm() + " key but tls.crt holds an " + pub.getAlgorithm()
          + " key: they are not a pair");
    }
    try {
      // A test signature with the key, verified with the certificate: the pair belongs together.
      byte[] probe = new byte[32];
      RANDOM.nextBytes(probe);
      Signature sign = Signature.getInstance(CertificateAuthority.signatureAlgorithm(ca.key()));
      sign.initSign(ca.key());
      sign.update(probe);
      byte[] signature = sign.sign();
      Signature verify = Signature.getInstance(CertificateAuthority.signatureAlgorithm(ca.key()));
      verify.initVerify(pub);
      verify.update(probe);
      if (!verify.verify(signature)) {
        return Optional.of("tls.key does not belong to the certificate in tls.crt (a test signature does not verify)");
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      return Optional.of("tls.key cannot sign with the certificate's key type: " + e.getMessage());
    }
    return Optional.empty();
  }
}
