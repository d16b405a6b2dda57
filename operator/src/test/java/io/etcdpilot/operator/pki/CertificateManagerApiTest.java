package io.etcdpilot.operator.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdpilot.operator.api.v1alpha1.TlsSpec;
import io.etcdpilot.operator.model.ClusterNames;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Certificate issuance, renewal and CA rotation phases, with the state kept only in Secrets. */
class CertificateManagerApiTest {
  static final String NS = "pki";
  KubernetesMockServer server;
  KubernetesClient client;
  CertificateManager manager;
  final ClusterNames names = new ClusterNames("demo", NS, "cluster.local");
  final OwnerReference owner = new OwnerReferenceBuilder().withApiVersion("etcdpilot.io/v1alpha1").withKind("EtcdCluster")
      .withName("demo").withUid("uid-1").withController(true).build();
  List<String> members = List.of("demo-0", "demo-1", "demo-2");
  final List<String> events = new ArrayList<>();
  Instant now = Instant.parse("2026-11-24T00:00:00Z");

  @BeforeEach
  void start() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init();
    client = server.createClient();
    manager = new CertificateManager();
  }

  @AfterEach
  void stop() {
    server.destroy();
  }

  /** The Secrets straight from the API server (the reconciler reads them from its cache). */
  final SecretStore store = new SecretStore() {
    @Override public Secret owned(String name) { return client.secrets().inNamespace(NS).withName(name).get(); }
    @Override public Secret userProvided(String name) { return owned(name); }
    @Override public void write(Secret desired, Secret live) {
      if (live == null) {
        client.resource(desired).create();
      } else {
        desired.getMetadata().setResourceVersion(live.getMetadata().getResourceVersion());
        client.resource(desired).update();
      }
    }
  };

  /** What members present: unless a test says otherwise, what the member Secret holds now (loaded at once). */
  ServedCertificates served = (member, port) -> java.util.Optional.ofNullable(
      client.secrets().inNamespace(NS).withName("demo-member-tls").get())
      .map(s -> Pem.certificate(data("demo-member-tls", member + (port == ServedCertificates.PEER_PORT ? "-peer" : "-server")
          + ".crt")));

  /** Hash of the bundle the member pods were last restarted with (what they trust). */
  String runningWith;

  /** @param restarted whether the members have restarted with the current bundle since the last call */
  TlsMaterial ensure(TlsSpec spec, boolean restarted) {
    if (restarted && client.secrets().inNamespace(NS).withName("demo-member-tls").get() != null) {
      runningWith = CertificateManager.sha(data("demo-member-tls", "ca.crt"));
    }
    TlsMaterial m = manager.ensure(store, owner, names, TlsSettings.of(spec), members,
        hash -> hash.equals(runningWith), served, now, (reason, msg) -> events.add(reason));
    if (runningWith == null) runningWith = m.trustBundleHash(); // first start: pods start with the first bundle
    return m;
  }

  String data(String secret, String key) {
    Secret s = client.secrets().inNamespace(NS).withName(secret).get();
    return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
  }

  List<X509Certificate> bundle() {
    return Pem.certificates(data("demo-member-tls", "ca.crt"));
  }

  void userCa(String secretName, CertificateAuthority ca) {
    Secret s = new SecretBuilder().withNewMetadata().withName(secretName).withNamespace(NS).endMetadata()
        .addToStringData("tls.crt", Pem.encode(ca.certificate())).addToStringData("tls.key", Pem.encode(ca.key())).build();
    if (client.secrets().inNamespace(NS).withName(secretName).get() == null) client.resource(s).create();
    else client.resource(s).update();
  }

  @Test
  void issuesEverythingOnceAndNothingAgainWhileValid() {
    TlsMaterial first = ensure(null, true);
    for (String s : List.of("demo-ca", "demo-member-tls", "demo-client-tls", "demo-operator-tls")) {
      assertThat(client.secrets().inNamespace(NS).withName(s).get().getMetadata().getOwnerReferences())
          .singleElement().satisfies(r -> assertThat(r.getUid()).isEqualTo("uid-1"));
    }
    X509Certificate ca = Pem.certificate(data("demo-ca", "tls.crt"));
    for (String m : members) {
      for (String kind : List.of("server", "peer")) {
        X509Certificate leaf = Pem.certificate(data("demo-member-tls", m + "-" + kind + ".crt"));
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
      }
    }
    assertThat(first.phase()).isEqualTo("Stable");
    String rv = client.secrets().inNamespace(NS).withName("demo-member-tls").get().getMetadata().getResourceVersion();
    now = now.plus(Duration.ofDays(30));
    TlsMaterial second = ensure(null, true);
    assertThat(client.secrets().inNamespace(NS).withName("demo-member-tls").get().getMetadata().getResourceVersion()).isEqualTo(rv);
    assertThat(second.trustBundleHash()).isEqualTo(first.trustBundleHash());
  }

  @Test
  void aCaShorterThanTheRenewalWindowDoesNotCauseEndlessRenewal() {
    // A user CA with 30 days left; leaves default to 1 year, renewed 4 months early: they are capped at the
    // CA's end and must not be reissued on every reconcile.
    userCa("short-ca", CertificateAuthority.create("short", now, Duration.ofDays(30)));
    TlsSpec spec = new TlsSpec();
    spec.setCaSecretName("short-ca");
    ensure(spec, true);
    String rv = client.secrets().inNamespace(NS).withName("demo-member-tls").get().getMetadata().getResourceVersion();
    String clientRv = client.secrets().inNamespace(NS).withName("demo-client-tls").get().getMetadata().getResourceVersion();
    now = now.plus(Duration.ofMinutes(5));
    ensure(spec, true);
    assertThat(client.secrets().inNamespace(NS).withName("demo-member-tls").get().getMetadata().getResourceVersion()).isEqualTo(rv);
    assertThat(client.secrets().inNamespace(NS).withName("demo-client-tls").get().getMetadata().getResourceVersion()).isEqualTo(clientRv);
    assertThat(events).doesNotContain("RenewedCertificates");
  }

  @Test
  void leavesRenewInsideTheirWindowWithoutTouchingTrust() {
    TlsSpec spec = new TlsSpec();
    spec.setCertificateValidity("10m");
    spec.setCertificateRenewBefore("4m");
    TlsMaterial first = ensure(spec, true);
    String before = data("demo-member-tls", "demo-1-peer.crt");
    now = now.plus(Duration.ofMinutes(5));
    assertThat(ensure(spec, true).earliestLeafNotAfter()).isEqualTo(first.earliestLeafNotAfter());
    now = now.plus(Duration.ofMinutes(1)).plusSeconds(1);
    TlsMaterial renewed = ensure(spec, true);
    assertThat(data("demo-member-tls", "demo-1-peer.crt")).isNotEqualTo(before);
    assertThat(renewed.trustBundleHash()).as("no restart needed").isEqualTo(first.trustBundleHash());
    assertThat(renewed.earliestLeafNotAfter()).isAfter(first.earliestLeafNotAfter());
    assertThat(events).contains("RenewedCertificates");
  }

  @Test
  void replacingTheCaGoesThroughTrustBothThenReissueThenDropOld() {
    CertificateAuthority one = CertificateAuthority.create("one", now, Duration.ofDays(365));
    CertificateAuthority two = CertificateAuthority.create("two", now, Duration.ofDays(365));
    TlsSpec spec = new TlsSpec();
    spec.setCaSecretName("user-ca");
    userCa("user-ca", one);
    TlsMaterial initial = ensure(spec, true);
    assertThat(bundle()).containsExactly(one.certificate());

    userCa("user-ca", two);
    TlsMaterial trusting = ensure(spec, false);
    assertThat(trusting.phase()).isEqualTo("TrustingNewCA");
    assertThat(bundle()).containsExactly(one.certificate(), two.certificate());
    assertThat(trusting.trustBundleHash()).as("members must restart to load the bundle").isNotEqualTo(initial.trustBundleHash());
    assertThat(Pem.certificate(data("demo-member-tls", "demo-0-server.crt")).getIssuerX500Principal())
        .as("leaves stay on the old CA until every member trusts the new one").isEqualTo(one.certificate().getSubjectX500Principal());

    // Restart in progress: nothing else moves.
    assertThat(ensure(spec, false).phase()).isEqualTo("TrustingNewCA");

    // Every member restarted with both CAs: reissue from the new CA, keep trusting both.
    ensure(spec, true);
    TlsMaterial presenting = ensure(spec, true);
    assertThat(presenting.phase()).isEqualTo("PresentingNewCA");
    assertThat(bundle()).hasSize(2);
    for (String m : members) {
      assertThat(Pem.certificate(data("demo-member-tls", m + "-peer.crt")).getIssuerX500Principal())
          .isEqualTo(two.certificate().getSubjectX500Principal());
    }
    assertThat(Pem.certificate(data("demo-operator-tls", "tls.crt")).getIssuerX500Principal())
        .isEqualTo(two.certificate().getSubjectX500Principal());

    // Old CA dropped only after the new certificates had time to reach the members.
    assertThat(ensure(spec, true).phase()).isEqualTo("PresentingNewCA");
    now = now.plus(CertificateManager.SETTLE);
    TlsMaterial dropping = ensure(spec, false);
    assertThat(dropping.phase()).isEqualTo("DroppingOldCA");
    assertThat(bundle()).containsExactly(two.certificate());
    assertThat(ensure(spec, false).phase()).as("members still restarting").isEqualTo("DroppingOldCA");
    assertThat(ensure(spec, true).phase()).isEqualTo("Stable");
    assertThat(events).containsSubsequence("TrustingNewCA", "ReissuedCertificates", "DroppedOldCA");
  }

  static final String PEER_NAME = "demo-peer.pki.svc.cluster.local";

  @Test
  void aNewClusterRequiresThePeerNameFromItsFirstStartAndOnlyPeerCertificatesCarryIt() {
    TlsMaterial first = ensure(null, true);
    assertThat(first.peerAllowedHostname()).isEqualTo(PEER_NAME);
    assertThat(first.phase()).isEqualTo("Stable");
    assertThat(first.settlesAt()).isNull();
    for (String m : members) {
      assertThat(CertificateManager.names(data("demo-member-tls", m + "-peer.crt"))).contains(PEER_NAME, m + ".demo-peer.pki.svc.cluster.local");
      assertThat(CertificateManager.names(data("demo-member-tls", m + "-server.crt"))).doesNotContain(PEER_NAME);
    }
    for (String secret : List.of("demo-client-tls", "demo-operator-tls")) {
      assertThat(CertificateManager.names(data(secret, "tls.crt"))).doesNotContain(PEER_NAME);
    }
    assertThat(events).doesNotContain("IssuedPeerIdentity", "RestrictingPeerPort");
  }

  @Test
  void peerCertificatesWithoutThePeerNameAreReissuedAndRequiredOnlyOnceSettled() {
    ensure(null, true);
    // A cluster from before the peer name: its peer certificates lack it and members accept any peer certificate.
    Secret old = client.secrets().inNamespace(NS).withName("demo-member-tls").get();
    CertificateAuthority ca = new CertificateAuthority(Pem.certificate(data("demo-ca", "tls.crt")), Pem.privateKey(data("demo-ca", "tls.key")));
    for (String m : members) {
      var leaf = ca.issue(m, CertificateAuthority.Usage.PEER, names.memberDnsNames(m), List.of(), now, Duration.ofDays(365));
      old.getData().put(m + "-peer.crt", Base64.getEncoder().encodeToString(Pem.encode(leaf.certificate()).getBytes(StandardCharsets.UTF_8)));
      old.getData().put(m + "-peer.key", Base64.getEncoder().encodeToString(Pem.encode(leaf.key()).getBytes(StandardCharsets.UTF_8)));
    }
    old.getMetadata().getAnnotations().remove(CertificateManager.PEER_IDENTITY);
    client.resource(old).update();
    String server = data("demo-member-tls", "demo-1-server.crt");

    TlsMaterial issuing = ensure(null, true);
    assertThat(issuing.peerAllowedHostname()).as("peers may still present their old certificates").isNull();
    assertThat(issuing.phase()).isEqualTo("RestrictingPeerPort");
    assertThat(issuing.settlesAt()).isEqualTo(now.plus(CertificateManager.SETTLE));
    assertThat(events).contains("IssuedPeerIdentity").doesNotContain("RestrictingPeerPort", "RenewedCertificates");
    for (String m : members) assertThat(CertificateManager.names(data("demo-member-tls", m + "-peer.crt"))).contains(PEER_NAME);
    assertThat(data("demo-member-tls", "demo-1-server.crt")).as("server certificates untouched").isEqualTo(server);

    now = now.plus(CertificateManager.SETTLE).minusSeconds(1);
    assertThat(ensure(null, true).peerAllowedHostname()).isNull();
    now = now.plusSeconds(1);
    TlsMaterial restricted = ensure(null, true);
    assertThat(restricted.peerAllowedHostname()).isEqualTo(PEER_NAME);
    assertThat(restricted.trustBundleHash()).as("the CA bundle is unchanged").isEqualTo(issuing.trustBundleHash());
    assertThat(events).containsSubsequence("IssuedPeerIdentity", "RestrictingPeerPort");

    // Kept from then on: a member added later (fresh leaves, new issue time) does not lift the requirement.
    members = List.of("demo-0", "demo-1", "demo-2", "demo-3");
    TlsMaterial grown = ensure(null, true);
    assertThat(grown.peerAllowedHostname()).isEqualTo(PEER_NAME);
    assertThat(CertificateManager.names(data("demo-member-tls", "demo-3-peer.crt"))).contains(PEER_NAME);
  }

  @Test
  void missingOrBrokenUserCaNamesTheField() {
    TlsSpec spec = new TlsSpec();
    spec.setCaSecretName("absent");
    assertThatThrownBy(() -> ensure(spec, true)).isInstanceOf(CertificateManager.CaUnavailable.class)
        .hasMessageStartingWith("spec.tls.caSecretName:").hasMessageContaining("does not exist");
    CertificateAuthority ca = CertificateAuthority.create("x", now, Duration.ofDays(1));
    var leaf = ca.issue("not-a-ca", CertificateAuthority.Usage.CLIENT, List.of(), List.of(), now, Duration.ofHours(1));
    client.resource(new SecretBuilder().withNewMetadata().withName("leaf").withNamespace(NS).endMetadata()
        .addToStringData("tls.crt", Pem.encode(leaf.certificate())).addToStringData("tls.key", Pem.encode(leaf.key())).build()).create();
    spec.setCaSecretName("leaf");
    assertThatThrownBy(() -> ensure(spec, true)).hasMessageContaining("is not a CA");
  }

  @Test
  void aUsersRsaCaSignsEveryLeafAndTheirClientsMustCarryTheClusterClientIdentity() throws Exception {
    CertificateAuthority corp = TestCas.rsa("corp", now, Duration.ofDays(3650));
    userCa("corp-ca", corp);
    TlsSpec spec = new TlsSpec();
    spec.setCaSecretName("corp-ca");
    TlsMaterial m = ensure(spec, true);
    for (String mem : members) {
      Pem.certificate(data("demo-member-tls", mem + "-server.crt")).verify(corp.publicKey());
      Pem.certificate(data("demo-member-tls", mem + "-peer.crt")).verify(corp.publicKey());
      assertThat(CertificateManager.names(data("demo-member-tls", mem + "-server.crt"))).contains(names.clientIdentity());
    }
    // A shared CA: members accept only client certificates that carry this cluster's client identity.
    assertThat(m.clientAllowedHostname()).isEqualTo(names.clientIdentity());
    assertThat(CertificateManager.names(data("demo-client-tls", "tls.crt"))).containsExactly(names.clientIdentity());
    assertThat(CertificateManager.names(data("demo-operator-tls", "tls.crt"))).containsExactly(names.clientIdentity());
    assertThat(client.secrets().inNamespace(NS).withName("demo-member-tls").get().getMetadata().getAnnotations())
        .containsEntry(CertificateManager.CLIENT_IDENTITY, names.clientIdentity());
    assertThat(ensure(spec, true).clientAllowedHostname()).as("kept").isEqualTo(names.clientIdentity());
  }

  @Test
  void theOperatorsOwnCaNeedsNoClientIdentity() {
    assertThat(ensure(null, true).clientAllowedHostname()).isNull();
    assertThat(CertificateManager.names(data("demo-client-tls", "tls.crt"))).isEmpty();
  }

  @Test
  void aBrokenUserCaChangesNothingAndSaysWhy() {
    CertificateAuthority a = CertificateAuthority.create("a", now, Duration.ofDays(365));
    TlsSpec spec = new TlsSpec();
    spec.setCaSecretName("user-ca");
    userCa("user-ca", a);
    ensure(spec, true);
    String rv = client.secrets().inNamespace(NS).withName("demo-member-tls").get().getMetadata().getResourceVersion();
    // The user replaces the Secret with a certificate and a key that do not belong together.
    CertificateAuthority b = CertificateAuthority.create("b", now, Duration.ofDays(365));
    userCa("user-ca", new CertificateAuthority(b.certificate(), a.key()));
    assertThatThrownBy(() -> ensure(spec, true)).isInstanceOf(CertificateManager.CaUnavailable.class)
        .hasMessageStartingWith("spec.tls.caSecretName:").hasMessageContaining("does not belong");
    assertThat(client.secrets().inNamespace(NS).withName("demo-member-tls").get().getMetadata().getResourceVersion())
        .as("nothing reissued").isEqualTo(rv);
  }

  @Test
  void theOldCaStaysTrustedWhileAMemberStillPresentsItsOldCertificates() {
    CertificateAuthority one = CertificateAuthority.create("one", now, Duration.ofDays(365));
    CertificateAuthority two = CertificateAuthority.create("two", now, Duration.ofDays(365));
    TlsSpec spec = new TlsSpec();
    spec.setCaSecretName("user-ca");
    userCa("user-ca", one);
    ensure(spec, true);
    // What demo-1 presents is frozen here: its kubelet has not refreshed its Secret volume since.
    java.util.Map<Integer, X509Certificate> stale = java.util.Map.of(
        ServedCertificates.CLIENT_PORT, Pem.certificate(data("demo-member-tls", "demo-1-server.crt")),
        ServedCertificates.PEER_PORT, Pem.certificate(data("demo-member-tls", "demo-1-peer.crt")));
    ServedCertificates fresh = served;
    served = (member, port) -> member.equals("demo-1") ? java.util.Optional.of(stale.get(port)) : fresh.leaf(member, port);

    userCa("user-ca", two);
    ensure(spec, false);
    ensure(spec, true);
    ensure(spec, true);
    now = now.plus(CertificateManager.SETTLE).plus(Duration.ofMinutes(5));
    TlsMaterial waiting = ensure(spec, true);
    assertThat(waiting.phase()).isEqualTo("PresentingNewCA");
    assertThat(bundle()).as("both CAs stay trusted: demo-1 still presents a certificate of the old one").hasSize(2);
    assertThat(waiting.settlesAt()).as("looked at again shortly").isEqualTo(now.plus(CertificateManager.PRESENTED_RECHECK));

    served = fresh; // the kubelet refreshed the volume: demo-1 presents its new certificates
    assertThat(ensure(spec, true).phase()).isEqualTo("DroppingOldCA");
    assertThat(bundle()).containsExactly(two.certificate());
  }
}
