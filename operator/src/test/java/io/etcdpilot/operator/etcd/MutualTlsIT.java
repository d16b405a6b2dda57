package io.etcdpilot.operator.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcdpilot.operator.pki.CertificateAuthority;
import io.etcdpilot.operator.pki.Pem;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Mutual TLS on both planes of real etcd members, with certificates from the pki package. */
class MutualTlsIT {
  static final Instant NOW = Instant.now();
  static final CertificateAuthority CA = CertificateAuthority.create("it-ca", NOW, Duration.ofDays(1));
  static LocalEtcdCluster etcd;

  /**
   * Server and peer certificates for a member on one loopback address; member {@code badPeer}'s peer certificate
   * names an address it does not have, and with a {@code peerName} every peer certificate carries it and members
   * require it, as the operator issues them.
   */
  static LocalEtcdCluster.MemberTls certificates(CertificateAuthority ca, int badPeer, String peerName) {
    return certificates(ca, badPeer, peerName, null);
  }

  /** As above; with a {@code clientName}, server certificates carry it and members require it from clients. */
  static LocalEtcdCluster.MemberTls certificates(CertificateAuthority ca, int badPeer, String peerName, String clientName) {
    return new LocalEtcdCluster.MemberTls() {
      @Override
      public void write(int member, String ip, Path dir) throws java.io.IOException {
        // All members share the loopback here, so peer connections arrive from 127.0.0.1: that address is in
        // the peer SANs (on Kubernetes the pod's own address is what etcd checks).
        List<String> ips = List.of(ip, "127.0.0.1");
        List<String> peerNames = peerName == null ? List.of() : List.of(peerName);
        List<String> serverNames = clientName == null ? List.of("localhost") : List.of("localhost", clientName);
        var server = ca.issue("m" + member, CertificateAuthority.Usage.SERVER, serverNames, ips, NOW, Duration.ofHours(1));
        var peer = ca.issue("m" + member, CertificateAuthority.Usage.PEER, peerNames,
            member == badPeer ? List.of("127.0.99.99") : ips, NOW, Duration.ofHours(1));
        Files.writeString(dir.resolve("ca.crt"), Pem.encode(ca.certificate()));
        Files.writeString(dir.resolve("server.crt"), Pem.encode(server.certificate()));
        Files.writeString(dir.resolve("server.key"), Pem.encode(server.key()));
        Files.writeString(dir.resolve("peer.crt"), Pem.encode(peer.certificate()));
        Files.writeString(dir.resolve("peer.key"), Pem.encode(peer.key()));
      }

      @Override
      public String peerAllowedHostname() {
        return peerName;
      }

      @Override
      public String clientAllowedHostname() {
        return clientName;
      }
    };
  }


  /**
   * Presents a certificate on a member's peer port and asks for its version: the status line, or why the
   * handshake or the request failed. (With TLS 1.3 the server judges the client's certificate after the client
   * finished its side, so a refusal shows on the first read.)
   */
  static String peerPortAnswer(String ip, X509Certificate trust, PrivateKey key, X509Certificate cert) throws Exception {
    java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("leaf", key, new char[0], new java.security.cert.Certificate[] {cert});
    var kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    java.security.KeyStore trusted = java.security.KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("ca", trust);
    var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    var ssl = javax.net.ssl.SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    try (var socket = (javax.net.ssl.SSLSocket) ssl.getSocketFactory().createSocket(ip, 2380)) {
      socket.setSoTimeout(5000);
      socket.startHandshake();
      socket.getOutputStream().write(("GET /version HTTP/1.1\r\nHost: " + ip + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String status = in.readLine();
      return status == null ? "closed without an answer" : status;
    } catch (java.io.IOException e) {
      return "refused: " + e;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    etcd = new LocalEtcdCluster("127.0.72.", 3, certificates(CA, -1, null));
  }

  @AfterAll
  static void stop() throws Exception {
    etcd.close();
  }

  static Client client(List<String> urls, X509Certificate trust, PrivateKey key, X509Certificate cert) throws Exception {
    ClientBuilder b = Client.builder().endpoints(urls.stream().map(URI::create).toArray(URI[]::new))
        .connectTimeout(Duration.ofSeconds(2)).retryMaxDuration(Duration.ofSeconds(2));
    b.sslContext(s -> {
      s.trustManager(trust);
      if (key != null) s.keyManager(key, cert);
    });
    return b.build();
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  static void put(Client c) throws Exception {
    c.getKVClient().put(bytes("k"), bytes("v")).get(5, TimeUnit.SECONDS);
  }

  @Test
  void clientWithCertificateFromTheClusterCaWorksAndPeersSpeakTls() throws Exception {
    var leaf = CA.issue("app", CertificateAuthority.Usage.CLIENT, List.of(), List.of(), NOW, Duration.ofHours(1));
    try (Client c = client(etcd.clientUrls(), CA.certificate(), leaf.key(), leaf.certificate())) {
      put(c);
      assertThat(c.getKVClient().get(bytes("k")).get(5, TimeUnit.SECONDS).getKvs()).hasSize(1);
      var members = c.getClusterClient().listMember().get(5, TimeUnit.SECONDS).getMembers();
      assertThat(members).hasSize(3).allSatisfy(m -> assertThat(m.getPeerURIs().get(0).getScheme()).isEqualTo("https"));
    }
    // The operator's observer, with the same credentials, sees three healthy members.
    var obs = new JetcdObserver(Duration.ofSeconds(3)).observe(new EtcdConnection("it/tls",
        new io.etcdpilot.operator.model.TlsWiring(true), Pem.encode(CA.certificate()), Pem.encode(leaf.certificate()),
        Pem.encode(leaf.key())), etcd.clientUrls());
    assertThat(obs.members()).hasSize(3).allMatch(ObservedMember::reachable);
  }

  @Test
  void clientWithoutCertificateIsRejected() throws Exception {
    try (Client c = client(etcd.clientUrls(), CA.certificate(), null, null)) {
      assertThatThrownBy(() -> put(c)).isInstanceOf(Exception.class);
    }
  }

  @Test
  void certificateFromAnotherCaIsRejected() throws Exception {
    CertificateAuthority other = CertificateAuthority.create("other", NOW, Duration.ofDays(1));
    var leaf = other.issue("intruder", CertificateAuthority.Usage.CLIENT, List.of(), List.of(), NOW, Duration.ofHours(1));
    try (Client c = client(etcd.clientUrls(), CA.certificate(), leaf.key(), leaf.certificate())) {
      assertThatThrownBy(() -> put(c)).isInstanceOf(Exception.class);
    }
  }

  @Test
  void clientCertificateWithoutClientAuthUsageIsRejected() throws Exception {
    KeyPair kp = CertificateAuthority.newKeyPair();
    var b = new JcaX509v3CertificateBuilder(CA.certificate(), java.math.BigInteger.valueOf(System.nanoTime()),
        Date.from(NOW.minusSeconds(60)), Date.from(NOW.plusSeconds(3600)), new X500Name("CN=server-only"), kp.getPublic());
    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    X509Certificate serverOnly = new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(CA.key())));
    try (Client c = client(etcd.clientUrls(), CA.certificate(), kp.getPrivate(), serverOnly)) {
      assertThatThrownBy(() -> put(c)).isInstanceOf(Exception.class);
    }
  }

  @Test
  void plainHttpToATlsMemberFails() throws Exception {
    try (Client c = Client.builder().endpoints(URI.create(etcd.clientUrls().get(0).replace("https://", "http://")))
        .connectTimeout(Duration.ofSeconds(2)).retryMaxDuration(Duration.ofSeconds(2)).build()) {
      assertThatThrownBy(() -> put(c)).isInstanceOf(Exception.class);
    }
  }

  @Test
  void peerWhoseCertificateLacksItsNameIsRefused() throws Exception {
    // m3's peer certificate names another host: m1 and m2 form a quorum, and refuse m3's connections.
    try (LocalEtcdCluster broken = new LocalEtcdCluster("127.0.73.", 3, certificates(CA, 3, null))) {
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(broken.log(1) + broken.log(2)).contains("rejected connection")
              .contains("127.0.99.99"));
      assertThat(LocalEtcdCluster.healthy("127.0.73.3")).isFalse();
    }
  }

  @Test
  void withThePeerNameRequiredOnlyMemberCertificatesAreAcceptedOnThePeerPort() throws Exception {
    String peerName = new io.etcdpilot.operator.model.ClusterNames("it", "mtls", "cluster.local").peerIdentity();
    var app = CA.issue("etcd-client", CertificateAuthority.Usage.CLIENT, List.of(), List.of(), NOW, Duration.ofHours(1));
    var operator = CA.issue("etcdpilot-operator", CertificateAuthority.Usage.CLIENT, List.of(), List.of(), NOW, Duration.ofHours(1));
    var server = CA.issue("m9", CertificateAuthority.Usage.SERVER, List.of("localhost"), List.of("127.0.0.1"), NOW, Duration.ofHours(1));
    var member = CA.issue("m9", CertificateAuthority.Usage.PEER, List.of(peerName), List.of("127.0.0.1"), NOW, Duration.ofHours(1));

    // Without the requirement (clusters before it): an application's certificate gets onto the raft plane.
    assertThat(peerPortAnswer("127.0.72.1", CA.certificate(), app.key(), app.certificate())).startsWith("HTTP/1.1 200");

    try (LocalEtcdCluster restricted = new LocalEtcdCluster("127.0.74.", 3, certificates(CA, -1, peerName))) {
      // Members present certificates carrying the name: the cluster forms and every member is healthy.
      await().atMost(Duration.ofSeconds(20)).until(() -> List.of(1, 2, 3).stream()
          .allMatch(i -> LocalEtcdCluster.healthy("127.0.74." + i)));
      assertThat(peerPortAnswer("127.0.74.1", CA.certificate(), member.key(), member.certificate())).startsWith("HTTP/1.1 200");
      // Certificates from the same CA for anything else are refused there.
      assertThat(peerPortAnswer("127.0.74.1", CA.certificate(), app.key(), app.certificate())).startsWith("refused");
      assertThat(peerPortAnswer("127.0.74.1", CA.certificate(), operator.key(), operator.certificate())).startsWith("refused");
      assertThat(peerPortAnswer("127.0.74.1", CA.certificate(), server.key(), server.certificate())).startsWith("refused");
      // The client port is unchanged: the application works there.
      try (Client c = client(restricted.clientUrls(), CA.certificate(), app.key(), app.certificate())) {
        put(c);
      }
    }
  }

  @Test
  void withAClientIdentityRequiredOtherCertificatesOfASharedCaAreRefused() throws Exception {
    // A CA the user shares with every workload: an RSA one, as corporate CAs and kubeadm's are.
    CertificateAuthority shared = io.etcdpilot.operator.pki.TestCas.rsa("corp", NOW, Duration.ofDays(1));
    var names = new io.etcdpilot.operator.model.ClusterNames("it", "mtls", "cluster.local");
    String clientName = names.clientIdentity();
    var ours = shared.issue("etcd-client", CertificateAuthority.Usage.CLIENT, List.of(clientName), List.of(), NOW,
        Duration.ofHours(1));
    var workload = shared.issue("billing-api", CertificateAuthority.Usage.CLIENT, List.of("billing.example"), List.of(),
        NOW, Duration.ofHours(1));
    try (LocalEtcdCluster guarded = new LocalEtcdCluster("127.0.75.", 1, certificates(shared, -1, null, clientName))) {
      await().atMost(Duration.ofSeconds(20)).until(() -> LocalEtcdCluster.healthy("127.0.75.1"));
      try (Client c = client(guarded.clientUrls(), shared.certificate(), ours.key(), ours.certificate())) {
        put(c);
      }
      try (Client c = client(guarded.clientUrls(), shared.certificate(), workload.key(), workload.certificate())) {
        assertThatThrownBy(() -> put(c)).as("another workload's certificate of the same CA").isInstanceOf(Exception.class);
      }
    }
  }

  @Test
  void whatAMemberPresentsIsReadFromAHandshakeOnBothPorts() throws Exception {
    // Members m1..m3 on 127.0.72.1..3; the peer port refuses the operator's certificate, yet presents its own first.
    var presented = new PresentedCertificates(m -> "127.0.72." + m.substring(1), Duration.ofSeconds(2));
    var client = presented.leaf("m1", io.etcdpilot.operator.pki.ServedCertificates.CLIENT_PORT).orElseThrow();
    var peer = presented.leaf("m1", io.etcdpilot.operator.pki.ServedCertificates.PEER_PORT).orElseThrow();
    client.verify(CA.publicKey());
    peer.verify(CA.publicKey());
    assertThat(client.getSubjectX500Principal().getName()).contains("CN=m1");
    assertThat(client).isNotEqualTo(peer);
    assertThat(presented.leaf("m9", io.etcdpilot.operator.pki.ServedCertificates.CLIENT_PORT)).as("nobody there").isEmpty();
  }
}
