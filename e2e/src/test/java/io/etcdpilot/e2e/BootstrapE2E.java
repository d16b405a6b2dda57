package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.MemberStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A new EtcdCluster becomes a healthy etcd cluster of real members. */
@ExtendWith(TargetExtension.class)
class BootstrapE2E {

  @ParameterizedTest(name = "{0} member(s)")
  @ValueSource(ints = {1, 3})
  void newClusterBecomesReadyWithHealthyVotingMembers(int size, TargetCluster target) throws Exception {
    String ns = "boot" + size;
    Scenario.readyCluster(target, ns, "etcd", size, s -> { });

    TargetCluster.Exec health = target.etcdctl(ns, "etcd", "endpoint", "health", "--cluster");
    assertThat(health.exitCode()).as(health.output()).isZero();
    assertThat(health.output().lines().filter(l -> l.contains("is healthy"))).hasSize(size);

    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    Map<String, Long> members = ClusterChecks.members(urls, creds);
    assertThat(members.keySet()).containsExactlyInAnyOrderElementsOf(
        java.util.stream.IntStream.range(0, size).mapToObj(i -> "etcd-" + i).toList());

    EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
    assertThat(ec.getStatus().getReadyReplicas()).isEqualTo(size);
    assertThat(ec.getStatus().getVersion()).isEqualTo(target.etcdVersion());
    assertThat(ec.getStatus().getMembers()).hasSize(size).allMatch(MemberStatus::getHealthy)
        .filteredOn(m -> m.getRole() == MemberStatus.Role.leader).hasSize(1);
    assertThat(ec.getStatus().getMembers()).extracting(MemberStatus::getId)
        .containsExactlyInAnyOrderElementsOf(members.values().stream().map(Long::toHexString).toList());

    var scale = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").scale();
    assertThat(scale.getSpec().getReplicas()).isEqualTo(size);
    assertThat(scale.getStatus().getReplicas()).isEqualTo(size);
    assertThat(scale.getStatus().getSelector()).contains("app.kubernetes.io/instance=etcd");

    try (WriteLoad load = new WriteLoad(urls, creds, "/boot/")) {
      load.awaitMore(100, Duration.ofSeconds(30));
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).isEmpty();
    }
    ClusterChecks.assertHashKvEqual(urls, creds);
  }
}
