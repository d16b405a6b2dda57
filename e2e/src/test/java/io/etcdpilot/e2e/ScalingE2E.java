package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Members added as learners and removed one at a time, through /scale, with client writes running. */
@ExtendWith(TargetExtension.class)
class ScalingE2E {

  @ParameterizedTest(name = "{0} → {1} → {0}")
  @CsvSource({"3, 5", "1, 3"})
  void scaleOutAndBackThroughTheScaleSubresourceLosesNoWrite(int from, int to, TargetCluster target) throws Exception {
    String ns = "scale-" + from + "-" + to;
    Scenario.readyCluster(target, ns, "etcd", from, s -> { });
    ClientCredentials creds = target.credentials(ns, "etcd");

    try (WriteLoad load = new WriteLoad(target.clientUrls(ns, "etcd"), () -> target.credentials(ns, "etcd"), "/scale/")) {
      load.awaitMore(100, Duration.ofSeconds(30));
      for (int size : List.of(to, from)) {
        target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").scale(size);
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
          EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
          assertThat(ec.getStatus().getReadyReplicas()).isEqualTo(size);
          assertThat(ec.getStatus().getMembers()).hasSize(size);
          assertThat(ec.getStatus().getOperation()).isNull();
        });
        ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(2));
        List<String> urls = IntStream.range(0, size).mapToObj(i -> target.clientUrls(ns, "etcd").get(i)).toList();
        Map<String, Long> members = ClusterChecks.members(urls, creds);
        assertThat(members.keySet()).as("voting members after scaling to %d", size)
            .containsExactlyInAnyOrderElementsOf(IntStream.range(0, size).mapToObj(i -> "etcd-" + i).toList());
        assertThat(target.client().apps().statefulSets().inNamespace(ns).withName("etcd").get().getSpec().getReplicas())
            .isEqualTo(size);
        load.awaitMore(100, Duration.ofSeconds(60));
      }
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
    }
    // Removed members' volumes are deleted (spec.storage.onScaleIn defaults to Delete): they can never rejoin.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(target.client().persistentVolumeClaims().inNamespace(ns).list().getItems()).hasSize(from));
    ClusterChecks.assertHashKvEqual(target.clientUrls(ns, "etcd"), creds);
    TargetCluster.Exec health = target.etcdctl(ns, "etcd", "endpoint", "health", "--cluster");
    assertThat(health.exitCode()).as(health.output()).isZero();
  }

  @org.junit.jupiter.api.Test
  void scaleOutReversedMidFlightConvergesToTheLastValue(TargetCluster target) throws Exception {
    String ns = "scale-reverse";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> { });
    ClientCredentials creds = target.credentials(ns, "etcd");
    try (WriteLoad load = new WriteLoad(target.clientUrls(ns, "etcd"), () -> target.credentials(ns, "etcd"), "/rev/")) {
      load.awaitMore(100, Duration.ofSeconds(30));
      var ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd");
      ec.scale(5);
      // As soon as the first learner exists, change our mind.
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() ->
          ec.get().getStatus().getMembers().size() > 3 || "AddMember".equals(
              ec.get().getStatus().getOperation() == null ? null : ec.get().getStatus().getOperation().getType()));
      ec.scale(3);
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        EtcdCluster c = ec.get();
        assertThat(c.getStatus().getMembers()).hasSize(3);
        assertThat(c.getStatus().getOperation()).isNull();
        assertThat(target.client().apps().statefulSets().inNamespace(ns).withName("etcd").get().getSpec().getReplicas()).isEqualTo(3);
      });
      ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(2));
      assertThat(ClusterChecks.members(target.clientUrls(ns, "etcd"), creds).keySet())
          .containsExactlyInAnyOrder("etcd-0", "etcd-1", "etcd-2");
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
    }
    ClusterChecks.assertHashKvEqual(target.clientUrls(ns, "etcd"), creds);
  }
}
