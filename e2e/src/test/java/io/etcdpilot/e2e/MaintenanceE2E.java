package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.DeleteOption;
import io.etcdpilot.operator.api.v1alpha1.DefragPolicy;
import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdOptions;
import io.etcdpilot.operator.api.v1alpha1.MaintenanceSpec;
import io.etcdpilot.operator.api.v1alpha1.MaintenanceStatus;
import io.etcdpilot.operator.api.v1alpha1.MemberMaintenance;
import io.etcdpilot.operator.api.v1alpha1.StorageSpec;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The maintenance autopilot against real etcd under verified continuous writes: a fragmented cluster is defragmented
 * member by member with one leader change; a cluster that hits its quota recovers with no human step; one whose live
 * data fills the quota says what to do and recovers once it is done.
 */
@ExtendWith(TargetExtension.class)
class MaintenanceE2E {
  static final long MIB = 1 << 20;
  static final ByteSequence BIG = ByteSequence.from(new byte[256 * 1024]);

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  static MaintenanceSpec rule(String expression) {
    DefragPolicy d = new DefragPolicy();
    d.setRule(expression);
    MaintenanceSpec m = new MaintenanceSpec();
    m.setDefrag(d);
    return m;
  }

  static MaintenanceStatus maintenance(TargetCluster target, String ns) {
    EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
    return ec.getStatus() == null ? null : ec.getStatus().getMaintenance();
  }

  static Condition ready(TargetCluster target, String ns) {
    EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
    return ClusterChecks.conditions(ec).stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
  }

  static List<String> reasons(TargetCluster target, String ns) {
    return target.client().v1().events().inNamespace(ns).list().getItems().stream().map(Event::getReason).toList();
  }

  /** Rewrites a few keys with 256 KiB values {@code times} times: history, not live data. */
  static void churn(Client c, String prefix, int times) throws Exception {
    for (int i = 0; i < times; i++) c.getKVClient().put(bytes(prefix + (i % 4)), BIG).get(10, TimeUnit.SECONDS);
  }

  static void deleteAndCompact(Client c, String prefix) throws Exception {
    c.getKVClient().delete(bytes(prefix), DeleteOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS);
    long revision = c.getKVClient().get(bytes("x")).get(10, TimeUnit.SECONDS).getHeader().getRevision();
    c.getKVClient().compact(revision, CompactOption.builder().withCompactPhysical(true).build()).get(30, TimeUnit.SECONDS);
  }

  static Map<String, String> lastDefrags(TargetCluster target, String ns) {
    MaintenanceStatus m = maintenance(target, ns);
    return m == null ? Map.of() : m.getMembers().stream().filter(x -> x.getLastDefragTime() != null)
        .collect(Collectors.toMap(MemberMaintenance::getName, MemberMaintenance::getLastDefragTime));
  }

  @Test
  void aFragmentedClusterIsDefragmentedMemberByMemberWithOneLeaderChange(TargetCluster target) throws Exception {
    String ns = "defrag";
    // A rule for small databases (the default wants 100 MiB free); the same rule path as the default.
    Scenario.readyCluster(target, ns, "etcd", 3,
        s -> s.setMaintenance(rule("dbSizeFree >= 8 * 1024 * 1024 && dbSizeFree * 2 >= dbSize")));
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    long termBefore = ClusterChecks.raftTerm(urls, creds);
    try (WriteLoad load = new WriteLoad(urls, creds, "/defrag-load/"); Client c = ClientCredentials.jetcd(urls, creds)) {
      load.awaitMore(50, Duration.ofSeconds(30));
      churn(c, "/bulk/", 120);
      deleteAndCompact(c, "/bulk/");
      await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
          .until(() -> lastDefrags(target, ns).size() == 3);
      load.awaitMore(50, Duration.ofSeconds(30));
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
    }
    assertThat(ClusterChecks.raftTerm(urls, creds)).as("leadership moved once, before the leader's turn")
        .isEqualTo(termBefore + 1);
    assertThat(maintenance(target, ns).getMembers()).hasSize(3).allSatisfy(m -> {
      assertThat(m.getBytesAfter()).as(m.getName()).isLessThan(m.getBytesBefore() / 2);
      assertThat(m.getConsecutiveFailures()).isZero();
    });
    assertThat(reasons(target, ns)).filteredOn("Defragmented"::equals).hasSize(3);

    // Fragmented again at once: nothing happens before minInterval (1h).
    Map<String, String> first = lastDefrags(target, ns);
    try (Client c = ClientCredentials.jetcd(urls, creds)) {
      churn(c, "/bulk2/", 120);
      deleteAndCompact(c, "/bulk2/");
    }
    await().during(Duration.ofSeconds(20)).atMost(Duration.ofSeconds(30)).until(() -> lastDefrags(target, ns).equals(first));
    ClusterChecks.assertHashKvEqual(urls, creds);
  }

  @Test
  void aClusterThatHitsItsQuotaRecoversWithNoHumanStep(TargetCluster target) throws Exception {
    String ns = "nospace";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> {
      s.setStorage(new StorageSpec());
      s.getStorage().setSize("1Gi");
      s.setEtcd(new EtcdOptions());
      s.getEtcd().setQuotaBackendBytes(32 * MIB);
    });
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    Instant full;
    try (WriteLoad load = new WriteLoad(urls, creds, "/nospace-load/"); Client c = ClientCredentials.jetcd(urls, creds)) {
      load.awaitMore(50, Duration.ofSeconds(30));
      try {
        churn(c, "/bulk/", 1000);
      } catch (Exception e) {
        assertThat(e).hasMessageContaining("database space exceeded");
      }
      full = Instant.now();
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
          .untilAsserted(() -> assertThat(ready(target, ns).getReason()).isEqualTo("QuotaExhausted"));
      // Writable again without anyone doing anything.
      await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() ->
          c.getKVClient().put(bytes("/after"), bytes("writable")).get(5, TimeUnit.SECONDS) != null);
      Duration writableAfter = Duration.between(full, Instant.now());
      System.out.println("NOSPACE -> writable: " + writableAfter.toSeconds() + " s");
      load.awaitMore(50, Duration.ofSeconds(60));
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
      assertThat(report.failed()).as("writes refused while NOSPACE").isPositive();
    }
    ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(2));
    MaintenanceStatus m = maintenance(target, ns);
    assertThat(m.getQuotaBytes()).isEqualTo(32 * MIB);
    assertThat(m.getNoSpace().getCompactedRevision()).isPositive();
    assertThat(m.getNoSpace().getRecoveredTime()).isNotNull();
    assertThat(reasons(target, ns)).contains("QuotaExhausted", "NoSpaceCompacted", "Defragmented", "QuotaRecovered");
    ClusterChecks.assertHashKvEqual(urls, creds);
  }

  @Test
  @Tag("extended") // minutes long: bin/run-tests --extended
  void liveDataAboveTheQuotaIsNotDisarmedInALoopAndRecoversOnceDeleted(TargetCluster target) throws Exception {
    String ns = "livedata";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> {
      s.setStorage(new StorageSpec());
      s.getStorage().setSize("1Gi");
      s.setEtcd(new EtcdOptions());
      s.getEtcd().setQuotaBackendBytes(32 * MIB);
    });
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    try (Client c = ClientCredentials.jetcd(urls, creds)) {
      // Distinct keys, all of it live, until NOSPACE; while defragmentation still brings the members below 90% of the
      // quota the operator disarms and the writes go on, until it cannot: then it says so and leaves the alarm.
      int next = 0;
      boolean told = false;
      for (int round = 0; round < 8 && !told; round++) {
        try {
          while (true) c.getKVClient().put(bytes("/live/" + next++), BIG).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          assertThat(e).hasMessageContaining("database space exceeded");
        }
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() ->
            ready(target, ns).getMessage().contains("live data")
                || c.getKVClient().put(bytes("/probe"), bytes("x")).get(5, TimeUnit.SECONDS) != null);
        told = ready(target, ns).getMessage().contains("live data");
      }
      assertThat(told).as("the operator says the live data is too large").isTrue();
      Condition r = ready(target, ns);
      assertThat(r.getReason()).isEqualTo("QuotaExhausted");
      assertThat(r.getMessage()).contains("spec.etcd.quotaBackendBytes", "spec.storage.size");
      long recoveries = reasons(target, ns).stream().filter("QuotaRecovered"::equals).count();
      // No disarm into the next alarm: the alarm stays while nothing changes.
      await().during(Duration.ofSeconds(20)).atMost(Duration.ofSeconds(30)).until(() ->
          "QuotaExhausted".equals(ready(target, ns).getReason()));
      assertThat(reasons(target, ns).stream().filter("QuotaRecovered"::equals).count()).isEqualTo(recoveries);
      // Doing what it says: the keys go, and the operator takes it from there.
      c.getKVClient().delete(bytes("/live/"), DeleteOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() ->
          c.getKVClient().put(bytes("/after"), bytes("writable")).get(5, TimeUnit.SECONDS) != null);
    }
    ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(2));
    ClusterChecks.assertHashKvEqual(urls, creds);
  }

  @Test
  void aMemberWhoseDataIsCorruptedWhileStoppedIsCaughtByEtcdAndReplaced(TargetCluster target) throws Exception {
    String ns = "corrupt";
    // etcd compares a restarting member's data with its peers' only once it has a raft snapshot on disk (3.5 reads the
    // membership from it): a low snapshot count gives the young members one, as any long-running cluster has.
    Scenario.readyCluster(target, ns, "etcd", 3, s -> {
      s.setEtcd(new EtcdOptions());
      s.getEtcd().setSnapshotCount(100L);
    });
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    Map<String, Long> before = ClusterChecks.members(urls, creds);
    try (Client c = ClientCredentials.jetcd(urls, creds)) {
      c.getKVClient().put(bytes("/canary"), bytes(io.etcdpilot.sandbox.Faults.CORRUPT_MARKER)).get(10, TimeUnit.SECONDS);
    }
    try (WriteLoad load = new WriteLoad(urls, creds, "/corrupt-load/")) {
      load.awaitMore(250, Duration.ofSeconds(60)); // past the snapshot count
      // The value reaches etcd-1's file within its backend's commit interval; until then the fault finds nothing.
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
        target.fault(ns, "etcd-1", io.etcdpilot.sandbox.Faults.Fault.corrupt);
        return true;
      });
      await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
        Map<String, Long> now = ClusterChecks.members(urls, creds);
        assertThat(now).containsOnlyKeys("etcd-0", "etcd-1", "etcd-2");
        assertThat(now.get("etcd-1")).as("etcd-1 replaced").isNotEqualTo(before.get("etcd-1"));
      });
      ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(2));
      load.awaitMore(50, Duration.ofSeconds(30));
      assertThat(load.stopAndVerify().missing()).as("acknowledged writes lost").isEmpty();
    }
    Map<String, Long> after = ClusterChecks.members(urls, creds);
    assertThat(after.get("etcd-0")).as("others untouched").isEqualTo(before.get("etcd-0"));
    assertThat(after.get("etcd-2")).as("others untouched").isEqualTo(before.get("etcd-2"));
    assertThat(target.client().v1().events().inNamespace(ns).list().getItems()).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo("ReplacingMember");
      assertThat(e.getMessage()).contains("corruption check");
    });
    try (Client c = ClientCredentials.jetcd(urls, creds)) {
      assertThat(c.getKVClient().get(bytes("/canary")).get(10, TimeUnit.SECONDS).getKvs().get(0).getValue()
          .toString(StandardCharsets.UTF_8)).as("the majority's data").isEqualTo(io.etcdpilot.sandbox.Faults.CORRUPT_MARKER);
    }
    ClusterChecks.assertHashKvEqual(urls, creds);
  }

  @Test
  void volumesGrowFrom1GiTo2GiWithTheQuotaOneMemberAtATimeAndNeverShrink(TargetCluster target) throws Exception {
    String ns = "grow";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> {
      s.setStorage(new StorageSpec());
      s.getStorage().setSize("1Gi");
    });
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    Map<String, Long> before = ClusterChecks.members(urls, creds);
    long quota1 = io.etcdpilot.operator.model.BackendQuota.of(null, 1L << 30);
    long quota2 = io.etcdpilot.operator.model.BackendQuota.of(null, 2L << 30);
    assertThat(maintenance(target, ns).getQuotaBytes()).isEqualTo(quota1);
    try (WriteLoad load = new WriteLoad(urls, creds, "/grow-load/");
         ReadyMembers ready = new ReadyMembers(target.client(), ns, "etcd").countFromAllReady(3, Duration.ofMinutes(1))) {
      load.awaitMore(50, Duration.ofSeconds(30));
      Scenario.editSpec(target, ns, "etcd", s -> s.getStorage().setSize("2Gi"));
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().untilAsserted(() -> {
        assertThat(target.client().persistentVolumeClaims().inNamespace(ns).list().getItems())
            .filteredOn(c -> c.getMetadata().getName().startsWith("data-etcd-")).hasSize(3).allSatisfy(c ->
                assertThat(c.getStatus().getCapacity().get("storage").toString()).isEqualTo("2Gi"));
        var sts = target.client().apps().statefulSets().inNamespace(ns).withName("etcd").get();
        assertThat(sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage")
            .toString()).isEqualTo("2Gi");
        assertThat(target.client().pods().inNamespace(ns).list().getItems()).filteredOn(p ->
            p.getMetadata().getName().startsWith("etcd-")).hasSize(3).allSatisfy(p -> {
              assertThat(p.getSpec().getContainers().get(0).getArgs()).contains("--quota-backend-bytes=" + quota2);
              assertThat(ReadyMembers.ready(p)).isTrue();
            });
        assertThat(maintenance(target, ns).getQuotaBytes()).isEqualTo(quota2);
      });
      assertThat(ready.fewestSeen()).as("never two members down at once").isGreaterThanOrEqualTo(2);
      ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(2));
      load.awaitMore(50, Duration.ofSeconds(30));
      assertThat(load.stopAndVerify().missing()).as("acknowledged writes lost").isEmpty();
    }
    assertThat(ClusterChecks.members(urls, creds)).as("the same members, restarted, not replaced").isEqualTo(before);
    assertThat(reasons(target, ns)).contains("VolumeGrowing", "StatefulSetRecreated");

    // A shrink is refused naming the field; nothing is touched.
    Scenario.editSpec(target, ns, "etcd", s -> s.getStorage().setSize("1Gi"));
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
      EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
      Condition stalled = ClusterChecks.conditions(ec).stream().filter(c -> c.getType().equals("Stalled")).findFirst()
          .orElseThrow();
      assertThat(stalled.getReason()).isEqualTo("ChangeRefused");
      assertThat(stalled.getMessage()).contains("spec.storage.size", "cannot shrink");
    });
    assertThat(target.client().apps().statefulSets().inNamespace(ns).withName("etcd").get().getSpec()
        .getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage").toString())
        .isEqualTo("2Gi");
    ClusterChecks.assertHashKvEqual(urls, creds);
  }
}
