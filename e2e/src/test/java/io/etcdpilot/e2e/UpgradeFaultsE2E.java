package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.status.Conditions;
import io.etcdpilot.sandbox.Faults;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Upgrades that meet a failure: the leader's pod lost mid-roll, a member already down when the roll starts. */
@ExtendWith(TargetExtension.class)
class UpgradeFaultsE2E {
  static final String FROM = UpgradeE2E.FROM;
  static final String TO = UpgradeE2E.TO;

  @Test
  void theLeadersPodLostMidRollAndTheRollStillCompletes(TargetCluster target) throws Exception {
    String ns = "upgrade-leader-lost";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> s.setVersion(FROM));
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    Map<String, Long> members = ClusterChecks.members(urls, creds);
    try (WriteLoad load = new WriteLoad(urls, creds, "/leader-lost/")) {
      load.awaitMore(100, Duration.ofSeconds(30));
      Scenario.setVersion(target, ns, TO);
      // One follower on the new version: now the leader's pod goes, as with a node lost.
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
          ClusterChecks.statuses(urls, creds).values().stream().filter(s -> s.version().equals(TO)).count() == 1);
      String leader = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get().getStatus()
          .getLeader();
      assertThat(leader).isNotNull();
      target.client().pods().inNamespace(ns).withName(leader).withGracePeriod(0).delete();

      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
        assertThat(ClusterChecks.statuses(urls, creds).values()).extracting(ClusterChecks.MemberStatus::version)
            .containsOnly(TO);
        EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
        assertThat(ec.getStatus().getVersion()).isEqualTo(TO);
        assertThat(ec.getStatus().getUpgrade()).isNull();
        assertThat(Conditions.isTrue(ClusterChecks.conditions(ec), Conditions.READY)).isTrue();
      });
      load.awaitMore(100, Duration.ofSeconds(30));
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
    }
    assertThat(ClusterChecks.members(urls, creds)).as("same members, none replaced").isEqualTo(members);
    ClusterChecks.assertHashKvEqual(urls, creds);
  }

  @Test
  void aMemberAlreadyDownIsRestartedFirst(TargetCluster target) throws Exception {
    String ns = "upgrade-member-down";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> s.setVersion(FROM));
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    Map<String, Long> members = ClusterChecks.members(urls, creds);
    String leader = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get().getStatus()
        .getLeader();
    // The lowest-ordinal follower: without the fault it would be restarted last among the followers.
    String down = List.of("etcd-0", "etcd-1").stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
    try (WriteLoad load = new WriteLoad(urls, creds, "/member-down/")) {
      load.awaitMore(100, Duration.ofSeconds(30));
      target.fault(ns, down, Faults.Fault.freeze);
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).until(() -> {
        EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
        return !Conditions.isTrue(ClusterChecks.conditions(ec), Conditions.READY);
      });
      Scenario.setVersion(target, ns, TO);
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
        assertThat(ClusterChecks.statuses(urls, creds).values()).extracting(ClusterChecks.MemberStatus::version)
            .containsOnly(TO);
        EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
        assertThat(ec.getStatus().getVersion()).isEqualTo(TO);
        assertThat(Conditions.isTrue(ClusterChecks.conditions(ec), Conditions.READY)).isTrue();
      });
      load.awaitMore(100, Duration.ofSeconds(30));
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
    }
    List<String> restarted = target.client().v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> "RestartingMember".equals(e.getReason()))
        .sorted(Comparator.comparing((Event e) -> e.getMetadata().getCreationTimestamp())
            .thenComparing(e -> e.getMetadata().getResourceVersion(), Comparator.comparingLong(Long::parseLong)))
        .map(Event::getMessage).toList();
    assertThat(restarted).hasSize(3);
    assertThat(restarted.get(0)).as("the first restart").startsWith("restarting " + down + ":");
    assertThat(restarted.get(2)).as("the last restart").startsWith("restarting " + leader + ":");
    assertThat(ClusterChecks.members(urls, creds)).as("same members, none replaced").isEqualTo(members);
    ClusterChecks.assertHashKvEqual(urls, creds);
  }

}
