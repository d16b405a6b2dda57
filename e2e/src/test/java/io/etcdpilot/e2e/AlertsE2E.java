package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdpilot.sandbox.Faults;
import io.etcdpilot.sandbox.monitoring.PrometheusServer;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The chart's alert rules in a real Prometheus scraping real members: quorum lost fires, and clears on recovery. */
@ExtendWith(TargetExtension.class)
class AlertsE2E {
  static final String NS = "alerts";

  @Test
  void insufficientMembersFiresWhenTwoOfThreeHangAndResolvesWhenTheyAnswer(TargetCluster target) throws Exception {
    PrometheusServer prometheus = target.monitoring().orElse(null);
    Assumptions.assumeTrue(prometheus != null, "the target runs no Prometheus");
    // Every shipped rule loaded (a rule Prometheus rejects would be missing here).
    long rules = StreamSupport.stream(prometheus.ruleGroups().spliterator(), false)
        .mapToLong(g -> g.path("rules").size()).sum();
    JsonNode shipped = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
        .readTree(java.nio.file.Path.of("../charts/etcdpilot/files/prometheus-rules.yaml").toFile());
    long expected = StreamSupport.stream(shipped.path("groups").spliterator(), false).mapToLong(g -> g.path("rules").size()).sum();
    assertThat(rules).as("rules Prometheus loaded").isEqualTo(expected).isGreaterThanOrEqualTo(18);

    Scenario.readyCluster(target, NS, "etcd", 3, s -> { });
    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
        assertThat(value(prometheus, "sum(up{job=\"etcd\",namespace=\"" + NS + "\",etcd_cluster=\"etcd\"})"))
            .as("members scraped and up").isEqualTo(3));
    assertThat(alert(prometheus.alerts(), "etcdInsufficientMembers")).isEmpty();
    // The operator is scraped too, its cluster gauges keeping the cluster's namespace (honor_labels, as the chart's
    // ServiceMonitor): what the etcdpilot alerts group by.
    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      assertThat(value(prometheus, "etcdpilot_cluster_ready_voters{job=\"etcdpilot\",namespace=\"" + NS + "\",cluster=\"etcd\"}"))
          .as("ready voters the operator reports").isEqualTo(3);
      assertThat(value(prometheus, "sum(etcdpilot_operator_leader{job=\"etcdpilot\"})")).as("replicas leading").isEqualTo(1);
    });

    // Hung, not crashed: the processes keep their ports but answer nothing, so nothing restarts them.
    List<String> hung = List.of("etcd-1", "etcd-2");
    try {
      for (String pod : hung) target.fault(NS, pod, Faults.Fault.freeze);
      // Pending at once, firing after the rule's own 3 minutes.
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
        List<JsonNode> firing = alert(prometheus.alerts(), "etcdInsufficientMembers");
        assertThat(firing).as("etcdInsufficientMembers").singleElement().satisfies(a -> {
          assertThat(a.path("state").asText()).isEqualTo("firing");
          assertThat(a.path("labels").path("severity").asText()).isEqualTo("critical");
          assertThat(a.path("annotations").path("runbook").asText()).isEqualTo("docs/operations.md#etcdinsufficientmembers");
        });
      });
    } finally {
      for (String pod : hung) target.fault(NS, pod, Faults.Fault.thaw);
    }
    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
        assertThat(alert(prometheus.alerts(), "etcdInsufficientMembers")).as("resolved once they answer").isEmpty());
    ClusterChecks.awaitReady(target, NS, "etcd", Duration.ofMinutes(2));
  }

  /** This scenario's alerts of that name (other namespaces' clusters are not its business). */
  static List<JsonNode> alert(JsonNode alerts, String name) {
    return StreamSupport.stream(alerts.spliterator(), false)
        .filter(a -> name.equals(a.path("labels").path("alertname").asText())
            && NS.equals(a.path("labels").path("namespace").asText()))
        .toList();
  }

  static double value(PrometheusServer prometheus, String promql) throws Exception {
    JsonNode result = prometheus.query(promql);
    return result.size() == 0 ? Double.NaN : result.get(0).path("value").get(1).asDouble();
  }
}
