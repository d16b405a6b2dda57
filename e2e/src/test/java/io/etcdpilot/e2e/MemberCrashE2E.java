package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcdpilot.sandbox.Faults;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A member process that dies comes back as the same member, and no acknowledged write is lost. */
@ExtendWith(TargetExtension.class)
class MemberCrashE2E {

  @Test
  void crashedMemberRestartsWithSameIdAndNoDataLoss(TargetCluster target) throws Exception {
    String ns = "crash";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> { });
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    Map<String, Long> before = ClusterChecks.members(urls, creds);

    try (WriteLoad load = new WriteLoad(urls, creds, "/crash/");
         HistoryCheck check = HistoryCheck.start(target, ns, "etcd")) {
      load.awaitMore(100, Duration.ofSeconds(30));
      target.fault(ns, "etcd-1", Faults.Fault.crash);

      await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
        Pod pod = target.client().pods().inNamespace(ns).withName("etcd-1").get();
        assertThat(pod.getStatus().getContainerStatuses().get(0).getRestartCount()).isGreaterThanOrEqualTo(1);
      });
      ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(2));
      load.awaitMore(100, Duration.ofSeconds(30));

      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
      assertThat(report.acknowledged()).isGreaterThanOrEqualTo(200);
      check.verdict().assertClean("a member crashed");
    }
    assertThat(ClusterChecks.members(urls, creds)).isEqualTo(before);
    TargetCluster.Exec health = target.etcdctl(ns, "etcd", "endpoint", "health", "--cluster");
    assertThat(health.exitCode()).as(health.output()).isZero();
    ClusterChecks.assertHashKvEqual(urls, creds);
  }
}
