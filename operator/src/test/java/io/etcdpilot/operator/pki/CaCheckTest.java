package io.etcdpilot.operator.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;

/** A user's CA is tested before anything is issued from it. */
class CaCheckTest {
  final Instant now = Instant.parse("2026-12-06T00:00:00Z");

  @Test
  void ownAndRsaCasThatCanSignPass() throws Exception {
    assertThat(CaCheck.problem(CertificateAuthority.create("own", now, Duration.ofDays(365)), now)).isEmpty();
    CertificateAuthority rsa = TestCas.rsa("corp", now, Duration.ofDays(365));
    assertThat(CaCheck.problem(rsa, now)).isEmpty();
    // And it really signs etcd's (EC) leaves, which verify against the RSA key.
    var leaf = rsa.issue("demo-0", CertificateAuthority.Usage.SERVER, List.of("demo-0.demo-peer"), List.of(), now,
        Duration.ofDays(30));
    leaf.certificate().verify(rsa.publicKey());
    assertThat(leaf.certificate().getSigAlgName()).isEqualToIgnoringCase("SHA256withRSA");
  }

  @Test
  void aKeyThatIsNotTheCertificatesIsRefused() {
    CertificateAuthority a = CertificateAuthority.create("a", now, Duration.ofDays(365));
    CertificateAuthority b = CertificateAuthority.create("b", now, Duration.ofDays(365));
    assertThat(CaCheck.problem(new CertificateAuthority(a.certificate(), b.key()), now))
        .hasValueSatisfying(p -> assertThat(p).contains("does not belong"));
  }

  @Test
  void anRsaKeyWithAnEcCertificateIsRefused() throws Exception {
    CertificateAuthority rsa = TestCas.rsa("corp", now, Duration.ofDays(365));
    CertificateAuthority ec = CertificateAuthority.create("ec", now, Duration.ofDays(365));
    assertThat(CaCheck.problem(new CertificateAuthority(ec.certificate(), rsa.key()), now))
        .hasValueSatisfying(p -> assertThat(p).contains("not a pair"));
  }

  @Test
  void anExpiredCaIsRefused() {
    CertificateAuthority old = CertificateAuthority.create("old", now.minus(Duration.ofDays(400)), Duration.ofDays(365));
    assertThat(CaCheck.problem(old, now)).hasValueSatisfying(p -> assertThat(p).contains("expired"));
  }

  @Test
  void aCaWithoutKeyCertSignIsRefused() throws Exception {
    CertificateAuthority cannotSign = TestCas.rsa("corp", now, Duration.ofDays(365), KeyUsage.digitalSignature);
    assertThat(CaCheck.problem(cannotSign, now)).hasValueSatisfying(p -> assertThat(p).contains("keyCertSign"));
  }
}
