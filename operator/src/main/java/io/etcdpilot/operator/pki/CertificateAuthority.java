package io.etcdpilot.operator.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority (certificate and key) that issues etcd's leaf certificates: the operator's own (EC P-256), or
 * the user's (RSA or ECDSA). Leaves get EC P-256 keys either way.
 */
public record CertificateAuthority(X509Certificate certificate, PrivateKey key) {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What a leaf certificate is for; decides its extended key usages. */
  public enum Usage {
    /**
     * Client-facing serving certificate. It carries clientAuth too because etcd's own gRPC gateway dials
     * the member's client port presenting this certificate; with serverAuth alone the member rejects itself.
     */
    SERVER(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth),
    PEER(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth),
    CLIENT(KeyPurposeId.id_kp_clientAuth);

    final KeyPurposeId[] purposes;

    Usage(KeyPurposeId... purposes) {
      this.purposes = purposes;
    }
  }

  /** A leaf certificate with its key. */
  public record Leaf(X509Certificate certificate, PrivateKey key) {}

  public static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static CertificateAuthority create(String commonName, Instant now, Duration validity) {
    KeyPair kp = newKeyPair();
    X500Name name = new X500Name("CN=" + commonName + ",O=etcdpilot");
    try {
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minusSeconds(60)),
          Date.from(now.plus(validity)), name, kp.getPublic());
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
      b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(kp.getPublic()));
      return new CertificateAuthority(sign(b, kp.getPrivate()), kp.getPrivate());
    } catch (Exception e) {
      throw new IllegalStateException("cannot create CA", e);
    }
  }

  /** Issues a leaf certificate for the given DNS names and IP addresses. */
  public Leaf issue(String commonName, Usage usage, List<String> dnsNames, List<String> ips, Instant now, Duration validity) {
    return issue(commonName, "etcdpilot", usage, dnsNames, ips, now, validity);
  }

  /** As above, with the subject's organization (Kubernetes reads a client certificate's groups from it). */
  public Leaf issue(String commonName, String organization, Usage usage, List<String> dnsNames, List<String> ips,
      Instant now, Duration validity) {
    KeyPair kp = newKeyPair();
    try {
      Instant notAfter = now.plus(validity);
      if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
        notAfter = certificate.getNotAfter().toInstant(); // a leaf never outlives its CA
      }
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(),
          Date.from(now.minusSeconds(60)), Date.from(notAfter), new X500Name("CN=" + commonName + ",O=" + organization),
          kp.getPublic());
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usage.purposes));
      b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(kp.getPublic()));
      b.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(certificate));
      GeneralName[] sans = new GeneralName[dnsNames.size() + ips.size()];
      int i = 0;
      for (String d : dnsNames) sans[i++] = new GeneralName(GeneralName.dNSName, d);
      for (String ip : ips) sans[i++] = new GeneralName(GeneralName.iPAddress, ip);
      if (sans.length > 0) b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
      return new Leaf(sign(b, key), kp.getPrivate());
    } catch (Exception e) {
      throw new IllegalStateException("cannot issue certificate for " + commonName, e);
    }
  }

  public PublicKey publicKey() {
    return certificate.getPublicKey();
  }

  /** The signature algorithm of a CA key: SHA-256 with RSA or with ECDSA. */
  static String signatureAlgorithm(PrivateKey key) {
    return key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws Exception {
    ContentSigner s = new JcaContentSignerBuilder(signatureAlgorithm(signer)).build(signer);
    return new JcaX509CertificateConverter().getCertificate(b.build(s));
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM);
  }
}
