package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.TlsSpec;
import io.etcdpilot.operator.pki.CertificateAuthority;
import io.etcdpilot.operator.pki.Pem;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Mutual TLS by default, certificate renewal without restarts, and a CA replacement that keeps quorum. */
@ExtendWith(TargetExtension.class)
class TlsE2E {

  static String secretData(TargetCluster target, String ns, String secret, String key) {
    Secret s = target.client().secrets().inNamespace(ns).withName(secret).get();
    return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
  }

  static Map<String, String> podUids(TargetCluster target, String ns) {
    Map<String, String> out = new HashMap<>();
    for (Pod p : target.client().pods().inNamespace(ns).list().getItems()) out.put(p.getMetadata().getName(), p.getMetadata().getUid());
    return out;
  }

  @Test
  void newClusterSpeaksMutualTlsOnBothPlanesByDefault(TargetCluster target) throws Exception {
    String ns = "tls-default";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> { });
    List<String> urls = target.clientUrls(ns, "etcd");
    assertThat(urls).allMatch(u -> u.startsWith("https://"));

    TargetCluster.Exec members = target.etcdctl(ns, "etcd", "member", "list");
    assertThat(members.exitCode()).as(members.output()).isZero();
    assertThat(members.output().lines().filter(l -> l.contains("started"))).hasSize(3)
        .allMatch(l -> l.contains("https://etcd-") && !l.contains("http://"));
    // Members formed while requiring the peer name from each other (MutualTlsIT shows what it refuses).
    String peerName = "etcd-peer." + ns + ".svc.cluster.local";
    for (Pod p : target.client().pods().inNamespace(ns).list().getItems()) {
      assertThat(p.getSpec().getContainers().get(0).getArgs()).contains("--peer-cert-allowed-hostname=" + peerName);
      assertThat(Pem.certificate(secretData(target, ns, "etcd-member-tls", p.getMetadata().getName() + "-peer.crt"))
          .getSubjectAlternativeNames()).anyMatch(san -> peerName.equals(san.get(1)));
    }
    assertThat(Pem.certificate(secretData(target, ns, "etcd-client-tls", "tls.crt")).getSubjectAlternativeNames())
        .as("the application's certificate names no host").isNull();

    // Plain http to a member fails; so does TLS without a client certificate.
    try (Client plain = Client.builder().endpoints(URI.create(urls.get(0).replace("https://", "http://")))
        .connectTimeout(Duration.ofSeconds(2)).retryMaxDuration(Duration.ofSeconds(2)).build()) {
      assertThatThrownBy(() -> plain.getKVClient().put(WriteLoad.bytes("k"), WriteLoad.bytes("v")).get(5, TimeUnit.SECONDS))
          .isInstanceOf(Exception.class);
    }
    ClientCredentials creds = target.credentials(ns, "etcd");
    X509Certificate[] trust = Pem.certificates(creds.caPem()).toArray(X509Certificate[]::new);
    try (Client anonymous = Client.builder().endpoints(URI.create(urls.get(0))).connectTimeout(Duration.ofSeconds(2))
        .retryMaxDuration(Duration.ofSeconds(2)).sslContext(s -> s.trustManager(trust)).build()) {
      assertThatThrownBy(() -> anonymous.getKVClient().put(WriteLoad.bytes("k"), WriteLoad.bytes("v")).get(5, TimeUnit.SECONDS))
          .isInstanceOf(Exception.class);
    }
    try (Client c = ClientCredentials.jetcd(urls, creds)) {
      c.getKVClient().put(WriteLoad.bytes("k"), WriteLoad.bytes("v")).get(5, TimeUnit.SECONDS);
    }
    EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
    assertThat(ec.getStatus().getCertificates().getCaNotAfter()).isNotBlank();
    assertThat(ec.getStatus().getCertificates().getPhase()).isEqualTo("Stable");
    assertThat(ec.getStatus().getConditions()).noneMatch(c -> c.getType().equals("TLSDisabled"));
  }

  @Test
  void shortLivedCertificatesRenewUnderWritesWithoutRestartingAnyPod(TargetCluster target) throws Exception {
    String ns = "tls-renew";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> {
      TlsSpec tls = new TlsSpec();
      tls.setCertificateValidity("2m");
      tls.setCertificateRenewBefore("90s");
      s.setTls(tls);
    });
    Map<String, String> uidsBefore = podUids(target, ns);
    List<String> urls = target.clientUrls(ns, "etcd");
    Set<String> serials = new HashSet<>();
    try (WriteLoad load = new WriteLoad(urls, () -> target.credentials(ns, "etcd"), "/renew/")) {
      // Renewed every ~30 s: wait for two renewals of a member's server and peer certificates.
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        serials.add(Pem.certificate(secretData(target, ns, "etcd-member-tls", "etcd-0-peer.crt")).getSerialNumber().toString());
        return serials.size() >= 3;
      });
      // New connections use the new certificates: a fresh client with the renewed client certificate works.
      TargetCluster.Exec health = target.etcdctl(ns, "etcd", "endpoint", "health", "--cluster");
      assertThat(health.exitCode()).as(health.output()).isZero();
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
      assertThat(report.acknowledged()).isGreaterThan(500);
    }
    assertThat(podUids(target, ns)).as("no pod was restarted").isEqualTo(uidsBefore);
    for (Pod p : target.client().pods().inNamespace(ns).list().getItems()) {
      assertThat(p.getStatus().getContainerStatuses().get(0).getRestartCount()).isZero();
    }
    ClusterChecks.assertHashKvEqual(urls, target.credentials(ns, "etcd"));
  }

  @Test
  void replacingTheCaRestartsMembersOneAtATimeAndKeepsQuorum(TargetCluster target) throws Exception {
    String ns = "tls-ca";
    Scenario.namespace(target, ns);
    CertificateAuthority one = CertificateAuthority.create("user-ca-one", Instant.now(), Duration.ofDays(30));
    CertificateAuthority two = CertificateAuthority.create("user-ca-two", Instant.now(), Duration.ofDays(30));
    writeCa(target, ns, one, true);
    Scenario.readyCluster(target, ns, "etcd", 3, s -> {
      TlsSpec tls = new TlsSpec();
      tls.setCaSecretName("my-ca");
      s.setTls(tls);
    });
    List<String> urls = target.clientUrls(ns, "etcd");
    Map<String, String> uidsBefore = podUids(target, ns);

    // Start watching from a fully ready cluster: pod readiness can trail etcd's own health by a probe period.
    await().atMost(Duration.ofSeconds(60)).until(() -> readyPods(target, ns) == 3);
    AtomicInteger maxDown = new AtomicInteger();
    AtomicBoolean watching = new AtomicBoolean(true);
    Map<String, Set<String>> uidsSeen = new java.util.concurrent.ConcurrentHashMap<>();
    Thread monitor = new Thread(() -> {
      while (watching.get()) {
        List<Pod> pods = target.client().pods().inNamespace(ns).list().getItems();
        maxDown.accumulateAndGet(3 - readyPods(pods), Math::max);
        pods.forEach(p -> uidsSeen.computeIfAbsent(p.getMetadata().getName(), k -> new HashSet<>()).add(p.getMetadata().getUid()));
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    monitor.setDaemon(true);
    monitor.start();
    try (WriteLoad load = new WriteLoad(urls, () -> target.credentials(ns, "etcd"), "/ca/")) {
      load.awaitMore(100, Duration.ofSeconds(30));
      writeCa(target, ns, two, false);

      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        List<X509Certificate> bundle = Pem.certificates(secretData(target, ns, "etcd-member-tls", "ca.crt"));
        assertThat(bundle).containsExactly(two.certificate());
        EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
        assertThat(ec.getStatus().getCertificates().getPhase()).isEqualTo("Stable");
        assertThat(ec.getStatus().getOperation()).isNull();
      });
      ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(2));
      load.awaitMore(100, Duration.ofSeconds(60));
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
    } finally {
      watching.set(false);
      monitor.join(5000);
    }
    assertThat(maxDown.get()).as("members down at the same time").isLessThanOrEqualTo(1);
    for (String pod : uidsBefore.keySet()) {
      // Restarted once to trust both CAs, once more to stop trusting the old one.
      assertThat(uidsSeen.get(pod)).as("incarnations of %s", pod).hasSize(3);
    }
    for (int i = 0; i < 3; i++) {
      X509Certificate leaf = Pem.certificate(secretData(target, ns, "etcd-member-tls", "etcd-" + i + "-server.crt"));
      leaf.verify(two.publicKey());
      // Peer certificates from the new CA still carry the name members require from each other.
      X509Certificate peer = Pem.certificate(secretData(target, ns, "etcd-member-tls", "etcd-" + i + "-peer.crt"));
      peer.verify(two.publicKey());
      assertThat(peer.getSubjectAlternativeNames()).anyMatch(san -> ("etcd-peer." + ns + ".svc.cluster.local").equals(san.get(1)));
    }
    TargetCluster.Exec health = target.etcdctl(ns, "etcd", "endpoint", "health", "--cluster");
    assertThat(health.exitCode()).as(health.output()).isZero();
    ClusterChecks.assertHashKvEqual(urls, target.credentials(ns, "etcd"));
  }

  static int readyPods(TargetCluster target, String ns) {
    return readyPods(target.client().pods().inNamespace(ns).list().getItems());
  }

  static int readyPods(List<Pod> pods) {
    return (int) pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null
        && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"))).count();
  }

  static void writeCa(TargetCluster target, String ns, CertificateAuthority ca, boolean create) {
    Secret s = new SecretBuilder().withNewMetadata().withName("my-ca").withNamespace(ns).endMetadata()
        .addToData("tls.crt", Base64.getEncoder().encodeToString(Pem.encode(ca.certificate()).getBytes(StandardCharsets.UTF_8)))
        .addToData("tls.key", Base64.getEncoder().encodeToString(Pem.encode(ca.key()).getBytes(StandardCharsets.UTF_8)))
        .build();
    if (create) target.client().resource(s).create();
    else target.client().secrets().inNamespace(ns).withName("my-ca").edit(old -> s);
  }
}
