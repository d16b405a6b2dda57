package io.etcdpilot.operator.pki;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** CAs as users bring them: RSA (the corporate and kubeadm case), or made wrong in the ways a CA can be. */
public final class TestCas {
  private TestCas() {}

  /** An RSA 2048 CA, self-signed, as kubeadm makes one. */
  public static CertificateAuthority rsa(String name, Instant now, Duration validity) throws Exception {
    return rsa(name, now, validity, KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature);
  }

  /** An RSA CA with the key usages given. */
  static CertificateAuthority rsa(String name, Instant now, Duration validity, int keyUsage) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair kp = g.generateKeyPair();
    X500Name subject = new X500Name("CN=" + name + ",O=corp");
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minusSeconds(60)), Date.from(now.plus(validity)), subject, kp.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
    var cert = new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
    return new CertificateAuthority(cert, kp.getPrivate());
  }
}
