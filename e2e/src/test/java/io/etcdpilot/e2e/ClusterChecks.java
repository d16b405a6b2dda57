package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.cluster.Member;
import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.status.Conditions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Checks that matter at the end of every scenario. */
final class ClusterChecks {
  private ClusterChecks() {}

  /** A cluster's conditions; none before the operator first writes its status (a wait's first poll may see that). */
  static List<io.fabric8.kubernetes.api.model.Condition> conditions(EtcdCluster ec) {
    return ec == null || ec.getStatus() == null || ec.getStatus().getConditions() == null
        ? List.of() : ec.getStatus().getConditions();
  }

  /**
   * The condition of that type; until the operator writes it, an AssertionError, which an Awaitility wait retries
   * (it retries only those).
   */
  static io.fabric8.kubernetes.api.model.Condition condition(EtcdCluster ec, String type) {
    return io.etcdpilot.operator.status.Conditions.find(conditions(ec), type)
        .orElseThrow(() -> new AssertionError("no " + type + " condition yet"));
  }

  static void awaitReady(TargetCluster target, String ns, String name, Duration timeout) {
    await().atMost(timeout).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName(name).get();
      assertThat(ec.getStatus()).as("status of %s/%s", ns, name).isNotNull();
      assertThat(Conditions.isTrue(ec.getStatus().getConditions(), Conditions.READY))
          .as("Ready of %s/%s: %s", ns, name, ec.getStatus().getConditions()).isTrue();
    });
  }

  /** The membership step is done: {@code members} voters in status, no learner, no operation in flight. */
  static void awaitStepDone(TargetCluster target, String ns, String name, int members, Duration timeout) {
    await().atMost(timeout).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName(name).get();
      assertThat(ec.getStatus().getMembers()).hasSize(members)
          .noneMatch(m -> m.getRole() == io.etcdpilot.operator.api.v1alpha1.MemberStatus.Role.learner);
      assertThat(ec.getStatus().getOperation()).isNull();
    });
  }

  /** etcd itself has exactly the members NAME-0..N-1 (no duplicate, no orphan) and they agree on the data. */
  static void assertExactlyMembers(List<String> urls, ClientCredentials creds, String cluster, int count) throws Exception {
    assertThat(members(urls, creds).keySet()).as("no duplicate, no orphan")
        .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, count).mapToObj(i -> cluster + "-" + i).toList());
    assertHashKvEqual(urls, creds);
  }

  /** Voting, started members by name → id, as etcd itself reports them. */
  static Map<String, Long> members(List<String> urls, ClientCredentials creds) throws Exception {
    try (Client c = ClientCredentials.jetcd(urls, creds)) {
      Map<String, Long> out = new LinkedHashMap<>();
      for (Member m : c.getClusterClient().listMember().get(10, TimeUnit.SECONDS).getMembers()) {
        assertThat(m.isLearner()).as("member %s is a learner", m.getName()).isFalse();
        out.put(m.getName(), m.getId());
      }
      return out;
    }
  }

  /** Each member's etcd version and raft term, by client URL, as the members themselves report them. */
  record MemberStatus(String version, long raftTerm) {}

  static Map<String, MemberStatus> statuses(List<String> urls, ClientCredentials creds) throws Exception {
    try (Client c = ClientCredentials.jetcd(urls, creds)) {
      Map<String, MemberStatus> out = new LinkedHashMap<>();
      for (String url : urls) {
        var s = c.getMaintenanceClient().statusMember(url).get(10, TimeUnit.SECONDS);
        out.put(url, new MemberStatus(s.getVersion(), s.getRaftTerm()));
      }
      return out;
    }
  }

  /** The highest raft term any member reports: each election (a leader change) raises it by one. */
  static long raftTerm(List<String> urls, ClientCredentials creds) throws Exception {
    return statuses(urls, creds).values().stream().mapToLong(MemberStatus::raftTerm).max().orElseThrow();
  }

  /** Every member has the same key-value history hash at one revision: nothing diverged. */
  static void assertHashKvEqual(List<String> urls, ClientCredentials creds) throws Exception {
    try (Client c = ClientCredentials.jetcd(urls, creds)) {
      long revision = c.getKVClient().get(WriteLoad.bytes("hashkv-probe")).get(10, TimeUnit.SECONDS).getHeader().getRevision();
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
        Map<String, Integer> hashes = new LinkedHashMap<>();
        for (String url : urls) {
          hashes.put(url, c.getMaintenanceClient().hashKV(url, revision).get(10, TimeUnit.SECONDS).getHash());
        }
        assertThat(hashes.values().stream().distinct()).as("hashkv at revision %d: %s", revision, hashes).hasSize(1);
      });
    }
  }
}
