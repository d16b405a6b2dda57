package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.cluster.Member;
import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.sandbox.Faults;
import io.etcdpilot.sandbox.OperatorInstall;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator as users run it: the chart's Deployment (installed with `helm install`), its pods run by the kubelet
 * from the operator's image, each with the ServiceAccount token the API server binds to it. Its active replica is
 * killed in the middle of a scale-out; the other replica finishes the step.
 */
@ExtendWith(TargetExtension.class)
class ChartDeploymentE2E {
  static final String LEASE = "etcdpilot-operator";
  io.etcdpilot.sandbox.Sandbox sandbox;

  @AfterEach
  void localOperatorAgain() throws Exception {
    if (sandbox != null) sandbox.stopChartDeployment();
  }

  @Test
  void theChartsReplicasLeadInTurnAndTheSurvivorFinishesTheScaleOutTheLeaderDiedIn(TargetCluster target) throws Exception {
    var client = target.client();
    List<Pod> pods = runChartReplicas(target);
    int replicas = pods.size();
    for (Pod pod : pods) {
      assertThat(pod.getSpec().getServiceAccountName()).isEqualTo(OperatorInstall.RELEASE);
      assertThat(pod.getSpec().getVolumes()).as("the token volume the ServiceAccount admission plugin adds")
          .anyMatch(v -> v.getName().startsWith("kube-api-access-") && v.getProjected() != null);
    }
    String leader = leaderAmong(target, pods);
    for (Pod pod : pods) {
      // What the kubelet probes and Prometheus scrapes: the pod's own address, the chart's health port.
      URI health = URI.create("http://" + pod.getStatus().getPodIP() + ":8081");
      boolean leads = pod.getMetadata().getName().equals(leader);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(OperatorHealthE2E.get(health, "/readyz"))
          .isEqualTo(new OperatorHealthE2E.Probe(200, leads ? "leader" : "standby")));
      assertThat(OperatorHealthE2E.get(health, "/metrics").body())
          .contains("etcdpilot_operator_leader " + (leads ? "1.0" : "0.0"))
          // The JVM's own memory, to hold against the chart's limit; the collector the image names.
          .containsPattern("jvm_memory_used_bytes\\{[^}]*area=\"heap\"")
          .containsPattern("jvm_buffer_memory_used_bytes\\{[^}]*id=\"direct\"")
          .containsPattern("jvm_gc_pause_seconds_count\\{[^}]*gc=\"Copy\"");
    }

    String ns = "chart-failover";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> { });
    ClientCredentials creds = target.credentials(ns, "etcd");
    List<String> firstUrls = target.clientUrls(ns, "etcd");
    try (WriteLoad load = new WriteLoad(firstUrls, () -> target.credentials(ns, "etcd"), "/chart-failover/")) {
      load.awaitMore(100, Duration.ofSeconds(30));
      // The new member's pod cannot start (its image pull fails): the leader's step stays in flight, learner added.
      target.fault(ns, "etcd-3", Faults.Fault.pull_fails);
      client.resources(EtcdCluster.class).inNamespace(ns).withName("etcd").scale(4);
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
        try (Client c = ClientCredentials.jetcd(firstUrls.subList(0, 1), creds)) {
          List<Member> members = c.getClusterClient().listMember().get(10, TimeUnit.SECONDS).getMembers();
          assertThat(members).hasSize(4).filteredOn(Member::isLearner).hasSize(1);
        }
      });
      String killed = holder(target);
      // The active replica dies with its pod (no SIGTERM: it cannot hand the Lease over).
      client.pods().inNamespace(OperatorInstall.NAMESPACE).withName(killed).withGracePeriod(0).delete();
      Instant died = Instant.now();
      target.fault(ns, "etcd-3", Faults.Fault.pull_ok);
      // Lease duration (15 s), the new member's pod starting, one pass: promoted, step done, by another replica.
      ClusterChecks.awaitStepDone(target, ns, "etcd", 4, Duration.ofSeconds(15 + 60 + 30));
      String survivor = holder(target);
      assertThat(survivor).as("the Lease moved off the dead replica").isNotEqualTo(killed);
      System.out.println("chart failover: " + survivor + " finished the step "
          + Duration.between(died, Instant.now()).toMillis() + " ms after " + killed + " died");
      load.awaitMore(100, Duration.ofSeconds(60));
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
    }
    ClusterChecks.assertExactlyMembers(target.clientUrls(ns, "etcd"), creds, "etcd", 4);
    // The Deployment replaced the dead pod; both replicas are ready again.
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
        .until(() -> readyOperatorPods(target).size() == replicas);
    assertAuditedAsThePodsOwnTokens(target);
  }

  /**
   * `kubectl rollout restart` of the chart's Deployment: each new pod starts as a standby, and the rollout can only
   * progress because a standby counts as ready (2 replicas: no pod may be unavailable). The Lease ends up on a new
   * pod, which then reconciles.
   */
  @Test
  void aRollingRestartOfTheDeploymentCompletesAndANewPodLeads(TargetCluster target) throws Exception {
    var client = target.client();
    List<Pod> before = runChartReplicas(target);
    int replicas = before.size();
    String ns = "chart-rollout";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> { });
    var deployments = client.apps().deployments().inNamespace(OperatorInstall.NAMESPACE).withName(OperatorInstall.RELEASE);
    // What `kubectl rollout restart` writes.
    deployments.edit(d -> {
      d.getSpec().getTemplate().getMetadata().setAnnotations(new java.util.HashMap<>(java.util.Map.of(
          "kubectl.kubernetes.io/restartedAt", Instant.now().toString())));
      return d;
    });
    java.util.Set<String> old = new java.util.HashSet<>(before.stream().map(p -> p.getMetadata().getName()).toList());
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      var d = deployments.get();
      assertThat(d.getStatus().getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
      assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(replicas);
      assertThat(d.getStatus().getReadyReplicas()).isEqualTo(replicas);
      assertThat(client.pods().inNamespace(OperatorInstall.NAMESPACE).withLabel("app.kubernetes.io/name", "etcdpilot")
          .list().getItems()).hasSize(replicas).noneMatch(p -> old.contains(p.getMetadata().getName()));
    });
    List<String> now = readyOperatorPods(target).stream().map(p -> p.getMetadata().getName()).toList();
    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .until(() -> holder(target), now::contains);
    // The new leader reconciles: a scale-out goes through.
    client.resources(EtcdCluster.class).inNamespace(ns).withName("etcd").scale(4);
    ClusterChecks.awaitStepDone(target, ns, "etcd", 4, Duration.ofMinutes(3));
  }

  /**
   * A replica that has lost the API server fails /healthz after 30 s; the kubelet's liveness probe (the chart's:
   * every 10 s, 3 failures) restarts it, and once the API server answers again it is Ready. The standby is cut off,
   * so the cluster's reconciles (by the leader) go on meanwhile.
   */
  @Test
  void aReplicaCutOffFromTheApiServerIsRestartedByItsLivenessProbe(TargetCluster target) throws Exception {
    var client = target.client();
    List<Pod> pods = runChartReplicas(target);
    int replicas = pods.size();
    String leader = leaderAmong(target, pods);
    Pod standby = pods.stream().filter(p -> !p.getMetadata().getName().equals(leader)).findFirst().orElseThrow();
    String name = standby.getMetadata().getName();
    URI health = URI.create("http://" + standby.getStatus().getPodIP() + ":8081");
    target.fault(OperatorInstall.NAMESPACE, name, Faults.Fault.cut_api);
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
          assertThat(OperatorHealthE2E.get(health, "/healthz").body()).startsWith("the API server has not answered for"));
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
          assertThat(restarts(target, name)).as("restarts of " + name).isGreaterThanOrEqualTo(1));
      assertThat(client.v1().events().inNamespace(OperatorInstall.NAMESPACE).list().getItems())
          .anyMatch(e -> name.equals(e.getInvolvedObject().getName()) && "Unhealthy".equals(e.getReason()));
    } finally {
      target.fault(OperatorInstall.NAMESPACE, name, Faults.Fault.mend_api);
    }
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      assertThat(readyOperatorPods(target)).extracting(p -> p.getMetadata().getName()).contains(name).hasSize(replicas);
      assertThat(OperatorHealthE2E.get(health, "/healthz")).isEqualTo(new OperatorHealthE2E.Probe(200, "ok"));
    });
    assertThat(holder(target)).as("the leader was never disturbed").isEqualTo(leader);
  }

  private static int restarts(TargetCluster target, String pod) {
    Pod p = target.client().pods().inNamespace(OperatorInstall.NAMESPACE).withName(pod).get();
    return p == null || p.getStatus().getContainerStatuses() == null ? 0
        : p.getStatus().getContainerStatuses().stream().mapToInt(c -> c.getRestartCount() == null ? 0 : c.getRestartCount()).sum();
  }

  /** The API server saw the operator's requests made with tokens bound to its pods (not the sandbox's own token). */
  /**
   * The operator's pods reach the API server but no member: the status says it cannot observe the cluster, and a
   * change that needs the members restarted waits, with every member pod left as it is, until it can see again.
   */
  @Test
  void theOperatorCutOffFromEtcdTakesNoStepAndSaysItCannotObserve(TargetCluster target) throws Exception {
    var client = target.client();
    List<Pod> operators = runChartReplicas(target);
    String ns = "cut-etcd";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> { });
    java.util.Map<String, String> uids = KubernetesRefusalsE2E.uids(target, ns);
    for (Pod p : operators) target.fault(OperatorInstall.NAMESPACE, p.getMetadata().getName(), Faults.Fault.cut_etcd);
    try {
      // A change the members must restart for, asked while the operator cannot see them: its next look finds
      // nothing to act on, says so, and the change waits.
      Scenario.editSpec(target, ns, "etcd", spec -> {
        spec.setEtcd(new io.etcdpilot.operator.api.v1alpha1.EtcdOptions());
        spec.getEtcd().setHeartbeatIntervalMillis(150);
      });
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
        var ready = ClusterChecks.condition(
            client.resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get(), "Ready");
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("Unreachable");
        assertThat(ready.getMessage()).contains("cannot observe", "takes no step");
      });
      await().during(Duration.ofSeconds(20)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
          .until(() -> KubernetesRefusalsE2E.uids(target, ns).equals(uids));
    } finally {
      for (Pod p : operators) target.fault(OperatorInstall.NAMESPACE, p.getMetadata().getName(), Faults.Fault.mend_etcd);
    }
    // Seen again: the restart goes through, member by member.
    await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      java.util.Map<String, String> now = KubernetesRefusalsE2E.uids(target, ns);
      assertThat(now.keySet()).isEqualTo(uids.keySet());
      assertThat(now).allSatisfy((pod, uid) -> assertThat(uid).as(pod + " restarted").isNotEqualTo(uids.get(pod)));
    });
    ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(2));
  }

  private void assertAuditedAsThePodsOwnTokens(TargetCluster target) throws Exception {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    String account = "system:serviceaccount:" + OperatorInstall.NAMESPACE + ":" + OperatorInstall.RELEASE;
    java.util.Set<String> podNames = new java.util.TreeSet<>();
    try (var lines = java.nio.file.Files.lines(target.auditLog().orElseThrow())) {
      lines.forEach(l -> {
        try {
          var user = json.readTree(l).path("user");
          if (!account.equals(user.path("username").asText())) return;
          user.path("extra").path("authentication.kubernetes.io/pod-name").forEach(n -> podNames.add(n.asText()));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    }
    assertThat(podNames).as("pods whose bound token the operator's requests carried").hasSizeGreaterThanOrEqualTo(3)
        .allMatch(n -> n.startsWith(OperatorInstall.RELEASE + "-"));
  }

  /** The local replicas stopped, the chart's Deployment at its default 2 replicas, all Ready (their probes pass). */
  private List<Pod> runChartReplicas(TargetCluster target) throws Exception {
    sandbox = OperatorHealthE2E.sandbox(target);
    int replicas = sandbox.runChartDeployment();
    assertThat(replicas).as("the chart's default").isEqualTo(2);
    return await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
        .until(() -> readyOperatorPods(target), p -> p.size() == replicas);
  }

  /** The pod, among these, that holds the Lease. */
  private static String leaderAmong(TargetCluster target, List<Pod> pods) {
    return await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .until(() -> holder(target), h -> pods.stream().anyMatch(p -> p.getMetadata().getName().equals(h)));
  }

  private static String holder(TargetCluster target) {
    return target.client().leases().inNamespace(OperatorInstall.NAMESPACE).withName(LEASE).get().getSpec().getHolderIdentity();
  }

  private static List<Pod> readyOperatorPods(TargetCluster target) {
    return target.client().pods().inNamespace(OperatorInstall.NAMESPACE)
        .withLabel("app.kubernetes.io/name", "etcdpilot").list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null
            && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
        .toList();
  }
}
