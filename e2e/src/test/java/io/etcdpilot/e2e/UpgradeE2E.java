package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** etcd minor upgrades as the version gate allows them: rolled with one leader change, or refused untouched. */
@ExtendWith(TargetExtension.class)
class UpgradeE2E {
  static final String FROM = "3.5.35";
  static final String TO = "3.6.16";

  @Test
  void minorUpgradeRollsEveryMemberWithOneLeaderChangeAndNoLostWrite(TargetCluster target) throws Exception {
    String ns = "upgrade";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> s.setVersion(FROM));
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    Map<String, Long> members = ClusterChecks.members(urls, creds);
    long termBefore = ClusterChecks.raftTerm(urls, creds);

    try (WriteLoad load = new WriteLoad(urls, creds, "/upgrade/")) {
      load.awaitMore(100, Duration.ofSeconds(30));
      setVersion(target, ns, TO);
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
        assertThat(ClusterChecks.statuses(urls, creds).values()).extracting(ClusterChecks.MemberStatus::version)
            .containsOnly(TO);
        EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
        assertThat(ec.getStatus().getVersion()).isEqualTo(TO);
        assertThat(ec.getStatus().getOperation()).isNull();
        assertThat(Conditions.isTrue(ec.getStatus().getConditions(), Conditions.READY)).isTrue();
      });
      load.awaitMore(100, Duration.ofSeconds(30));
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
    }
    // Followers restart without an election (pre-vote); leadership moves once, before the old leader restarts.
    assertThat(ClusterChecks.raftTerm(urls, creds) - termBefore).as("elections during the roll").isEqualTo(1);
    assertThat(ClusterChecks.members(urls, creds)).isEqualTo(members);
    ClusterChecks.assertHashKvEqual(urls, creds);
  }

  @Test
  void upgradeFromBelowTheGuidesMinimumIsRefusedAndNothingRestarts(TargetCluster target) throws Exception {
    String ns = "upgrade-refused";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> s.setVersion("3.5.11"));
    Map<String, String> podsBefore = pods(target, ns);

    setVersion(target, ns, TO);
    await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
      EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
      var stalled = Conditions.find(ec.getStatus().getConditions(), Conditions.STALLED).orElseThrow();
      assertThat(stalled.getStatus()).isEqualTo("True");
      assertThat(stalled.getReason()).isEqualTo("ChangeRefused");
      assertThat(stalled.getMessage()).contains("spec.version").contains("3.5.32 or later");
      assertThat(Conditions.isTrue(ec.getStatus().getConditions(), Conditions.READY)).isTrue();
    });
    assertThat(target.client().apps().statefulSets().inNamespace(ns).withName("etcd").get().getSpec().getTemplate()
        .getSpec().getContainers().get(0).getImage()).endsWith(":v3.5.11");
    assertThat(pods(target, ns)).as("same pods, none restarted").isEqualTo(podsBefore);
  }

  private static void setVersion(TargetCluster target, String ns, String version) {
    target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").edit(ec -> {
      ec.getSpec().setVersion(version);
      return ec;
    });
  }

  /** Pod name → uid and restart count. */
  private static Map<String, String> pods(TargetCluster target, String ns) {
    return target.client().pods().inNamespace(ns).list().getItems().stream().collect(Collectors.toMap(
        p -> p.getMetadata().getName(), (Pod p) -> p.getMetadata().getUid() + "/"
            + p.getStatus().getContainerStatuses().get(0).getRestartCount()));
  }
}
