package io.etcdpilot.operator.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.Durations;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateAuthorityTest {
  static final Instant NOW = Instant.parse("2026-11-24T00:00:00Z");
  final CertificateAuthority ca = CertificateAuthority.create("demo-etcd-ca", NOW, Duration.ofDays(365));
  final ClusterNames names = new ClusterNames("demo", "prod", "cluster.local");

  static List<String> sans(X509Certificate c) throws Exception {
    return c.getSubjectAlternativeNames().stream().map(l -> l.get(1).toString()).toList();
  }

  @Test
  void caIsACaWithItsOwnValidity() {
    X509Certificate c = ca.certificate();
    assertThat(c.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(c.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(c.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(365)));
    assertThat(c.getPublicKey().getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void serverCertificateCoversEveryNameAMemberIsReachedBy() throws Exception {
    X509Certificate c = ca.issue("demo-1", CertificateAuthority.Usage.SERVER,
        CertificateManager.serverNames(names, "demo-1", null), List.of("127.0.0.1"), NOW, Duration.ofDays(30)).certificate();
    assertThat(sans(c)).contains("demo-1.demo-peer.prod.svc.cluster.local", "demo-1.demo-peer.prod.svc",
        "demo-1.demo-peer.prod", "demo-1.demo-peer", "demo-client.prod.svc.cluster.local", "demo-client.prod.svc",
        "demo-client", "localhost", "127.0.0.1");
    assertThat(c.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1"); // serverAuth
    assertThat(c.getBasicConstraints()).isEqualTo(-1);
    c.verify(ca.publicKey()); // chains to the CA
  }

  @Test
  void keyUsagesPerPurpose() throws Exception {
    String serverAuth = "1.3.6.1.5.5.7.3.1";
    String clientAuth = "1.3.6.1.5.5.7.3.2";
    X509Certificate peer = ca.issue("demo-0", CertificateAuthority.Usage.PEER, names.memberDnsNames("demo-0"), List.of(),
        NOW, Duration.ofDays(30)).certificate();
    X509Certificate client = ca.issue("app", CertificateAuthority.Usage.CLIENT, List.of(), List.of(), NOW,
        Duration.ofDays(30)).certificate();
    assertThat(peer.getExtendedKeyUsage()).containsExactlyInAnyOrder(serverAuth, clientAuth);
    assertThat(client.getExtendedKeyUsage()).containsExactly(clientAuth);
    assertThat(client.getSubjectAlternativeNames()).isNull();
    assertThat(sans(peer)).containsExactlyElementsOf(names.memberDnsNames("demo-0"));
  }

  @Test
  void leafNeverOutlivesItsCa() {
    X509Certificate c = ca.issue("x", CertificateAuthority.Usage.CLIENT, List.of(), List.of(), NOW,
        Duration.ofDays(10_000)).certificate();
    assertThat(c.getNotAfter()).isEqualTo(ca.certificate().getNotAfter());
  }

  @Test
  void certificateFromAnotherCaDoesNotChain() {
    CertificateAuthority other = CertificateAuthority.create("other", NOW, Duration.ofDays(1));
    X509Certificate c = other.issue("x", CertificateAuthority.Usage.CLIENT, List.of(), List.of(), NOW, Duration.ofHours(1)).certificate();
    assertThatThrownBy(() -> c.verify(ca.publicKey())).isInstanceOf(java.security.SignatureException.class);
  }

  @Test
  void pemRoundTrip() {
    var leaf = ca.issue("x", CertificateAuthority.Usage.CLIENT, List.of(), List.of(), NOW, Duration.ofHours(1));
    assertThat(Pem.certificate(Pem.encode(leaf.certificate()))).isEqualTo(leaf.certificate());
    assertThat(Pem.privateKey(Pem.encode(leaf.key()))).isEqualTo(leaf.key());
    assertThat(Pem.certificates(Pem.encode(ca.certificate(), leaf.certificate()))).hasSize(2);
  }

  @Test
  void renewalInsideTheWindowOnly() {
    X509Certificate c = ca.issue("x", CertificateAuthority.Usage.CLIENT, List.of(), List.of(), NOW, Duration.ofMinutes(90)).certificate();
    RenewalPolicy p = RenewalPolicy.of(Duration.ofMinutes(90), Duration.ofMinutes(30));
    assertThat(p.due(c, NOW)).isFalse();
    assertThat(p.due(c, NOW.plus(Duration.ofMinutes(59)))).isFalse();
    assertThat(p.due(c, NOW.plus(Duration.ofMinutes(60)))).isTrue();
    assertThat(p.due(c, NOW.plus(Duration.ofMinutes(200)))).as("expired").isTrue();
    assertThat(p.due(c, NOW.minus(Duration.ofMinutes(5)))).as("not yet valid").isTrue();
    assertThatThrownBy(() -> RenewalPolicy.of(Duration.ofMinutes(10), Duration.ofMinutes(10)))
        .hasMessageContaining("shorter");
  }

  @Test
  void durationsAsKubernetesUsersWriteThem() {
    assertThat(Durations.parse("8760h")).isEqualTo(Duration.ofDays(365));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("1.5m")).isEqualTo(Duration.ofSeconds(90));
    assertThatThrownBy(() -> Durations.parse("1 year")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void defaultsAreAThirdOfValidity() {
    TlsSettings s = TlsSettings.of(null);
    assertThat(s.enabled()).isTrue();
    assertThat(s.leaves().renewBefore()).isEqualTo(TlsSettings.DEFAULT_LEAF_VALIDITY.dividedBy(3));
    assertThat(s.ca().validity()).isEqualTo(TlsSettings.DEFAULT_CA_VALIDITY);
  }
}
