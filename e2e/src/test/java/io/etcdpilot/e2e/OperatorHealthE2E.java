package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcdpilot.sandbox.OperatorProcess;
import io.etcdpilot.sandbox.TcpProxy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The operator's probes as the chart's Deployment uses them: who leads, and an operator cut off from its API server. */
@ExtendWith(TargetExtension.class)
class OperatorHealthE2E {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  record Probe(int status, String body) {}

  static Probe get(URI base, String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.ofString());
      return new Probe(r.statusCode(), r.body().trim());
    } catch (Exception e) {
      return new Probe(-1, e.toString());
    }
  }

  static io.etcdpilot.sandbox.Sandbox sandbox(TargetCluster target) {
    Assumptions.assumeTrue(target instanceof SandboxTarget, "needs the sandbox's operator processes");
    return ((SandboxTarget) target).sandbox();
  }

  TargetCluster target;

  @AfterEach
  void stopStandby() {
    if (target != null) target.stopStandbyOperator();
  }

  @Test
  void theLeaseHolderAndTheStandbyAreBothReadyAndSayWhichLeads(TargetCluster target) throws Exception {
    this.target = target;
    var sandbox = sandbox(target);
    URI leader = sandbox.operator().healthUrl();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(get(leader, "/readyz")).isEqualTo(new Probe(200, "leader")));
    URI standby = sandbox.startStandbyOperator().healthUrl();
    // Ready while standing by: a Deployment's rolling update waits for its new pod, which is always a standby first.
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(get(standby, "/readyz")).isEqualTo(new Probe(200, "standby")));
    assertThat(get(standby, "/healthz")).isEqualTo(new Probe(200, "ok"));
    assertThat(get(leader, "/metrics").body()).contains("etcdpilot_operator_leader 1.0");
    assertThat(get(standby, "/metrics").body()).contains("etcdpilot_operator_leader 0.0");
  }

  @Test
  void healthzFailsWhileTheApiServerIsCutOffAndPassesAgainOnceItAnswers(TargetCluster target) throws Exception {
    var sandbox = sandbox(target);
    URI api = URI.create(sandbox.controlPlane().server());
    try (TcpProxy proxy = new TcpProxy(new InetSocketAddress(api.getHost(), api.getPort()))) {
      OperatorProcess cutOff = sandbox.operatorVia("https://127.0.0.1:" + proxy.port(), "etcdpilot-cut-off");
      try {
        // Off the shared Lease, watching a namespace with nothing in it: it disturbs no cluster.
        cutOff.start(Map.of(), List.of("--leader-election=false", "--namespaces=health-probe"));
        URI base = cutOff.healthUrl();
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
          assertThat(get(base, "/healthz")).isEqualTo(new Probe(200, "ok"));
          assertThat(get(base, "/readyz")).isEqualTo(new Probe(200, "ready"));
        });
        proxy.cut();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
          Probe health = get(base, "/healthz");
          assertThat(health.status()).isEqualTo(503);
          assertThat(health.body()).startsWith("the API server has not answered for");
        });
        assertThat(cutOff.alive()).as("the probe fails; the kubelet, not the operator, restarts it").isTrue();
        proxy.mend();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
            assertThat(get(base, "/healthz")).isEqualTo(new Probe(200, "ok")));
      } finally {
        cutOff.close();
      }
    }
  }
}
