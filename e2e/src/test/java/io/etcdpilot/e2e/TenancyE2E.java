package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.api.v1alpha1.S3Destination;
import io.etcdpilot.operator.api.v1alpha1.SnapshotRetention;
import io.etcdpilot.operator.api.v1alpha1.SnapshotsSpec;
import io.etcdpilot.operator.api.v1alpha1.TlsSpec;
import io.etcdpilot.operator.pki.CertificateAuthority;
import io.etcdpilot.operator.pki.Pem;
import io.etcdpilot.sandbox.storage.ObjectStoreServer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two teams, one platform: clusters of the same name in two namespaces sharing a bucket keep to their own snapshots,
 * and a team's own RSA CA works.
 */
@ExtendWith(TargetExtension.class)
class TenancyE2E {

  @Test
  void sameClusterAndSnapshotNamesInTwoNamespacesNeverMixTheirData(TargetCluster target) throws Exception {
    Assumptions.assumeTrue(target.objectStore().isPresent(), "the target has no object store");
    ObjectStoreServer store = target.objectStore().get();
    List<String> teams = List.of("team-a", "team-b");
    for (String ns : teams) {
      Scenario.namespace(target, ns);
      store.secret(target.client(), ns);
      Scenario.cluster(target, ns, "main", 1, s -> {
        SnapshotsSpec snapshots = new SnapshotsSpec();
        S3Destination shared = store.destination();
        shared.setPrefix(null); // one bucket, no prefix: the keys alone keep the teams apart
        snapshots.setDestination(SnapshotE2E.destinationOf(shared));
        snapshots.setSchedule("* * * * *");
        SnapshotRetention keepOne = new SnapshotRetention();
        keepOne.setKeep(1);
        snapshots.setRetention(keepOne);
        s.setSnapshots(snapshots);
      });
    }
    for (String ns : teams) {
      ClusterChecks.awaitReady(target, ns, "main", Duration.ofMinutes(3));
      try (var c = ClientCredentials.jetcd(target.clientUrls(ns, "main"), target.credentials(ns, "main"))) {
        c.getKVClient().put(WriteLoad.bytes("/owner"), WriteLoad.bytes(ns)).get(10, TimeUnit.SECONDS);
      }
      target.client().resource(SnapshotE2E.snapshot(ns, "nightly", "main")).create();
    }
    for (String ns : teams) {
      EtcdSnapshot nightly = SnapshotE2E.awaitPhase(target, ns, "nightly", "Succeeded", Duration.ofMinutes(2));
      assertThat(nightly.getStatus().getLocation()).contains("/" + ns + "/main/");
    }

    // Each team restores its own "nightly": its own data comes back.
    for (String ns : teams) {
      Scenario.cluster(target, ns, "restored", 1, s -> s.setBootstrap(SnapshotE2E.fromSnapshot("nightly")));
    }
    for (String ns : teams) {
      ClusterChecks.awaitReady(target, ns, "restored", Duration.ofMinutes(4));
      try (var c = ClientCredentials.jetcd(target.clientUrls(ns, "restored"), target.credentials(ns, "restored"))) {
        var owner = c.getKVClient().get(WriteLoad.bytes("/owner")).get(10, TimeUnit.SECONDS).getKvs();
        assertThat(owner).singleElement().satisfies(kv ->
            assertThat(kv.getValue().toString(StandardCharsets.UTF_8)).as("restored in " + ns).isEqualTo(ns));
      }
    }

    // Both schedules fire in the same minutes, under the same snapshot names; each retention prunes its own.
    await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
      for (String ns : teams) {
        assertThat(target.client().v1().events().inNamespace(ns).list().getItems())
            .as("retention ran in " + ns).anyMatch(e -> "SnapshotPruned".equals(e.getReason()));
      }
    });
    for (String ns : teams) {
      for (EtcdSnapshot s : target.client().resources(EtcdSnapshot.class).inNamespace(ns).list().getItems()) {
        if (s.getStatus() == null || !"Succeeded".equals(s.getStatus().getPhase())) continue;
        String base = SnapshotE2E.objectBase(s);
        assertThat(store.file(base + ".json")).as("%s/%s kept by the other team's retention", ns,
            s.getMetadata().getName()).exists();
      }
    }
  }

  @Test
  void aTeamsOwnRsaCaSignsTheClusterAndOtherCertificatesOfItAreRefused(TargetCluster target) throws Exception {
    String ns = "team-rsa";
    Scenario.namespace(target, ns);
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair kp = g.generateKeyPair();
    Instant now = Instant.now();
    X500Name subject = new X500Name("CN=corp-root,O=corp");
    var b = new JcaX509v3CertificateBuilder(subject, java.math.BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(30))), subject, kp.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    var cert = new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
    CertificateAuthority corp = new CertificateAuthority(cert, kp.getPrivate());
    TlsE2E.writeCa(target, ns, corp, true);
    Scenario.readyCluster(target, ns, "etcd", 3, s -> {
      TlsSpec tls = new TlsSpec();
      tls.setCaSecretName("my-ca");
      s.setTls(tls);
    });
    List<String> urls = target.clientUrls(ns, "etcd");
    try (WriteLoad load = new WriteLoad(urls, () -> target.credentials(ns, "etcd"), "/rsa/")) {
      load.awaitMore(100, Duration.ofSeconds(30));
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).isEmpty();
    }
    for (int i = 0; i < 3; i++) {
      Pem.certificate(TlsE2E.secretData(target, ns, "etcd-member-tls", "etcd-" + i + "-server.crt")).verify(kp.getPublic());
    }
    // Another workload's certificate of the same corporate CA is no etcd credential here.
    var workload = corp.issue("billing-api", CertificateAuthority.Usage.CLIENT, List.of("billing.corp.example"),
        List.of(), now, Duration.ofHours(1));
    ClientCredentials other = new ClientCredentials(Pem.encode(cert), Pem.encode(workload.certificate()),
        Pem.encode(workload.key()));
    try (var c = ClientCredentials.jetcd(urls, other)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.getKVClient().put(WriteLoad.bytes("/x"),
          WriteLoad.bytes("y")).get(10, TimeUnit.SECONDS)).isInstanceOf(Exception.class);
    }
    ClusterChecks.assertHashKvEqual(urls, target.credentials(ns, "etcd"));
  }
}
