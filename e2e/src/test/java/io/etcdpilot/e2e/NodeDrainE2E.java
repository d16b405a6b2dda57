package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.model.ClusterNames;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * `kubectl drain` goes through the eviction API, which honours the operator's PodDisruptionBudget: two nodes holding
 * members drained at the same time lose their members one after the other, never two at once, while writes go on;
 * each member comes back on another node with its data (same member ID: its volume follows it).
 */
@ExtendWith(TargetExtension.class)
class NodeDrainE2E {
  /** A name no other scenario uses, so that the drain can select this cluster's pods alone. */
  static final String CLUSTER = "drained";

  @Test
  void drainingTwoMembersNodesAtOnceEvictsOneMemberAtATime(TargetCluster target) throws Exception {
    String ns = "drain";
    Scenario.readyCluster(target, ns, CLUSTER, 3, s -> { });
    List<String> urls = target.clientUrls(ns, CLUSTER);
    ClientCredentials creds = target.credentials(ns, CLUSTER);
    Map<String, Long> before = ClusterChecks.members(urls, creds);
    String nodeA = nodeOf(target, ns, CLUSTER + "-0");
    String nodeB = nodeOf(target, ns, CLUSTER + "-1");
    TargetCluster.Exec drainA;
    TargetCluster.Exec drainB;
    try (WriteLoad load = new WriteLoad(urls, creds, "/drain/");
         HistoryCheck check = HistoryCheck.start(target, ns, CLUSTER);
         ReadyMembers ready = new ReadyMembers(target.client(), ns, CLUSTER).countFromAllReady(3, Duration.ofMinutes(1))) {
      load.awaitMore(50, Duration.ofSeconds(30));
      CompletableFuture<TargetCluster.Exec> a = CompletableFuture.supplyAsync(() -> drain(target, nodeA));
      CompletableFuture<TargetCluster.Exec> b = CompletableFuture.supplyAsync(() -> drain(target, nodeB));
      drainA = a.get(6, TimeUnit.MINUTES);
      drainB = b.get(6, TimeUnit.MINUTES);
      assertThat(drainA.exitCode()).as(drainA.output()).isZero();
      assertThat(drainB.exitCode()).as(drainB.output()).isZero();
      assertThat(drainA.output() + drainB.output()).as("one eviction waited for the other member")
          .contains("disruption budget");
      ClusterChecks.awaitReady(target, ns, CLUSTER, Duration.ofMinutes(3));
      load.awaitMore(50, Duration.ofSeconds(30));
      assertThat(ready.fewestSeen()).as("ready members at any moment of the drains").isGreaterThanOrEqualTo(2);
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
      check.verdict().assertClean("two nodes drained");
    } finally {
      target.kubectl("uncordon", nodeA);
      target.kubectl("uncordon", nodeB);
    }
    assertThat(nodeOf(target, ns, CLUSTER + "-0")).isNotEqualTo(nodeA);
    assertThat(nodeOf(target, ns, CLUSTER + "-1")).isNotEqualTo(nodeB);
    assertThat(ClusterChecks.members(urls, creds)).as("same members, same IDs: each came back with its data")
        .isEqualTo(before);
    ClusterChecks.assertHashKvEqual(urls, creds);
  }

  /**
   * Drains the node of this scenario's members only: other scenarios' clusters may share the node, and a 1-member
   * cluster's budget (rightly) never lets its only member go.
   */
  private static TargetCluster.Exec drain(TargetCluster target, String node) {
    return target.kubectl("drain", node, "--pod-selector=" + ClusterNames.LABEL_CLUSTER + "=" + CLUSTER,
        "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=300s");
  }

  static String nodeOf(TargetCluster target, String ns, String pod) {
    Pod p = target.client().pods().inNamespace(ns).withName(pod).get();
    return p == null ? null : p.getSpec().getNodeName();
  }
}
