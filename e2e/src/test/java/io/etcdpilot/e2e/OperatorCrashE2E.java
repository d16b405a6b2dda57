package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.cluster.Member;
import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** An operator killed right after a membership change resumes it: no duplicate member, no orphan. */
@ExtendWith(TargetExtension.class)
class OperatorCrashE2E {
  TargetCluster target;

  @AfterEach
  void healthyOperator() {
    if (target == null) return;
    target.stopStandbyOperator();
    target.restartOperator(Map.of());
  }

  /**
   * Two replicas, as the chart runs them: the Lease holder dies right after adding a learner (it never renews its
   * Lease); the other takes the Lease once it expires (15 s) and finishes the step.
   */
  @Test
  void theStandbyReplicaFinishesTheScaleOutItsLeaderDiedIn(TargetCluster target) throws Exception {
    this.target = target;
    String ns = "failover";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> { });
    ClientCredentials creds = target.credentials(ns, "etcd");
    List<String> firstUrls = target.clientUrls(ns, "etcd");
    try (WriteLoad load = new WriteLoad(firstUrls, () -> target.credentials(ns, "etcd"), "/failover/")) {
      load.awaitMore(100, Duration.ofSeconds(30));
      java.time.Instant restarted = java.time.Instant.now();
      target.restartOperator(Map.of("ETCDPILOT_TEST_CRASH_AFTER", "add-learner"));
      // The standby starts only once the restarted leader renews the Lease: started together, either could win it.
      String leader = io.etcdpilot.sandbox.OperatorInstall.RELEASE + "-0";
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
        var lease = target.client().leases().inNamespace(io.etcdpilot.sandbox.OperatorInstall.NAMESPACE)
            .withName("etcdpilot-operator").get();
        return lease != null && leader.equals(lease.getSpec().getHolderIdentity())
            && lease.getSpec().getRenewTime().toInstant().isAfter(restarted);
      });
      org.junit.jupiter.api.Assumptions.assumeTrue(target.startStandbyOperator(), "the target runs one replica only");
      target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").scale(4);
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> !target.operatorRunning());
      java.time.Instant died = java.time.Instant.now();
      // Lease duration, then one pass: the learner promoted, the step done, by the replica that was waiting.
      ClusterChecks.awaitStepDone(target, ns, "etcd", 4, Duration.ofSeconds(15 + 60));
      assertThat(target.standbyOperatorLeads()).as("the standby took the Lease").isTrue();
      assertThat(target.operatorRunning()).as("the dead leader stayed dead").isFalse();
      System.out.println("failover: step finished " + Duration.between(died, java.time.Instant.now()).toMillis()
          + " ms after the leader died");
      load.awaitMore(100, Duration.ofSeconds(60));
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
    }
    ClusterChecks.assertExactlyMembers(target.clientUrls(ns, "etcd"), creds, "etcd", 4);
  }

  @ParameterizedTest(name = "killed after {0} ({1} → {2})")
  @CsvSource({"add-learner, 3, 4", "promote, 3, 4", "remove-member, 3, 1"})
  void operatorKilledAfterAMembershipChangeConverges(String point, int from, int to, TargetCluster target) throws Exception {
    this.target = target;
    String ns = "crash-" + point;
    Scenario.readyCluster(target, ns, "etcd", from, s -> { });
    ClientCredentials creds = target.credentials(ns, "etcd");
    List<String> firstUrls = target.clientUrls(ns, "etcd");
    try (WriteLoad load = new WriteLoad(firstUrls, () -> target.credentials(ns, "etcd"), "/" + point + "/")) {
      load.awaitMore(100, Duration.ofSeconds(30));
      crashAndRecover(point, from, to, firstUrls, creds);
      load.awaitMore(100, Duration.ofSeconds(60));
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
    }
    ClusterChecks.assertExactlyMembers(target.clientUrls(ns, "etcd"), creds, "etcd", to);
  }

  private void crashAndRecover(String point, int from, int to, List<String> firstUrls, ClientCredentials creds)
      throws Exception {
    String ns = "crash-" + point;
    target.restartOperator(Map.of("ETCDPILOT_TEST_CRASH_AFTER", point));
    target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").scale(to);
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> !target.operatorRunning());

    // The change the operator made before dying is visible in etcd itself.
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
      try (Client c = ClientCredentials.jetcd(firstUrls.subList(0, 1), creds)) {
        List<Member> members = c.getClusterClient().listMember().get(10, TimeUnit.SECONDS).getMembers();
        switch (point) {
          case "add-learner" -> assertThat(members).hasSize(from + 1).filteredOn(Member::isLearner).hasSize(1);
          case "promote" -> assertThat(members).hasSize(from + 1).noneMatch(Member::isLearner);
          default -> assertThat(members).hasSize(from - 1);
        }
      }
    });

    target.restartOperator(Map.of());
    await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
      assertThat(ec.getStatus().getMembers()).hasSize(to);
      assertThat(ec.getStatus().getReadyReplicas()).isEqualTo(to);
      assertThat(ec.getStatus().getOperation()).isNull();
      assertThat(target.client().apps().statefulSets().inNamespace(ns).withName("etcd").get().getSpec().getReplicas()).isEqualTo(to);
    });
    ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(2));
  }
}
