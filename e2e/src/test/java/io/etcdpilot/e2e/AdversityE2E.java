package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdOptions;
import io.etcdpilot.operator.api.v1alpha1.MemberStatus;
import io.etcdpilot.sandbox.Faults;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Faults worse than a crash, each under the history checker's workload, each ending with its verdict (linearizable,
 * watches in order without gaps, no revision going back, every acknowledged write kept), equal hashes, no learner
 * left and the member list as wanted.
 */
@ExtendWith(TargetExtension.class)
class AdversityE2E {

  static EtcdCluster get(TargetCluster target, String ns) {
    return target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
  }

  static MemberStatus member(TargetCluster target, String ns, String name) {
    return get(target, ns).getStatus().getMembers().stream().filter(m -> name.equals(m.getName())).findFirst()
        .orElseThrow();
  }

  static Map<String, Integer> restarts(TargetCluster target, String ns) {
    return target.client().pods().inNamespace(ns).list().getItems().stream()
        .filter(p -> p.getMetadata().getName().startsWith("etcd-"))
        .collect(Collectors.toMap(p -> p.getMetadata().getName(), AdversityE2E::restartCount));
  }

  static int restartCount(Pod p) {
    return p.getStatus() == null || p.getStatus().getContainerStatuses() == null
        || p.getStatus().getContainerStatuses().isEmpty() ? 0 : p.getStatus().getContainerStatuses().get(0).getRestartCount();
  }

  static Map<String, String> podUids(TargetCluster target, String ns) {
    return target.client().pods().inNamespace(ns).list().getItems().stream()
        .filter(p -> p.getMetadata().getName().startsWith("etcd-"))
        .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getUid()));
  }

  /** The checker's verdict, the hashes, the members: what every scenario ends with. */
  static void assertWhole(HistoryCheck.Verdict v, TargetCluster target, String ns, int members) throws Exception {
    v.assertClean(ns);
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    ClusterChecks.assertExactlyMembers(urls, creds, "etcd", members);
    ClusterChecks.assertHashKvEqual(urls, creds);
  }

  /** Waits until the workload has moved the cluster's revision on by {@code writes}: the checker is running. */
  static void awaitWrites(List<String> urls, ClientCredentials creds, int writes) throws Exception {
    try (Client c = ClientCredentials.jetcd(urls, creds)) {
      long from = c.getKVClient().get(ByteSequence.from("x", StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS)
          .getHeader().getRevision();
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
          c.getKVClient().get(ByteSequence.from("x", StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS).getHeader()
              .getRevision() >= from + writes);
    }
  }

  @Test
  void theLeaderCutOffFromItsPeersFor30sIsNeitherRestartedNorReplacedAndRejoins(TargetCluster target) throws Exception {
    String ns = "adv-leader";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> { });
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    Map<String, Long> ids = ClusterChecks.members(urls, creds);
    Map<String, Integer> restarts = restarts(target, ns);
    String leader = get(target, ns).getStatus().getLeader();
    try (HistoryCheck check = HistoryCheck.start(target, ns, "etcd")) {
      awaitWrites(urls, creds, 100);
      target.fault(ns, leader, Faults.Fault.partition);
      // The other two elect a leader and go on; the operator says the cut-off member is not healthy.
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
        assertThat(get(target, ns).getStatus().getLeader()).isNotNull().isNotEqualTo(leader);
        MemberStatus cut = member(target, ns, leader);
        assertThat(cut.getHealthy()).isFalse();
        assertThat(cut.getError()).contains("cut off from its peers");
      });
      // 30 s cut off: neither restarted nor replaced (its pod runs; well within the failed-member deadline).
      await().during(Duration.ofSeconds(30)).atMost(Duration.ofSeconds(40)).until(() ->
          restarts(target, ns).equals(restarts) && ClusterChecks.members(urls, creds).equals(ids));
      target.fault(ns, leader, Faults.Fault.heal);
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() ->
          assertThat(member(target, ns, leader).getHealthy()).isTrue());
      ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(1));
      awaitWrites(urls, creds, 50);
      assertWhole(check.verdict(), target, ns, 3);
    }
    assertThat(ClusterChecks.members(urls, creds)).isEqualTo(ids);
    assertThat(restarts(target, ns)).isEqualTo(restarts);
  }

  @Test
  @Tag("extended") // minutes long: bin/run-tests --extended
  void aFollowerCutOffPastTheSnapshotThresholdCatchesUpBySnapshot(TargetCluster target) throws Exception {
    String ns = "adv-behind";
    // A low snapshot count: the leader's raft log keeps 5000 entries past its last snapshot, and the follower falls
    // behind further than that.
    Scenario.readyCluster(target, ns, "etcd", 3, s -> {
      s.setEtcd(new EtcdOptions());
      s.getEtcd().setSnapshotCount(100L);
    });
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    String leader = get(target, ns).getStatus().getLeader();
    String follower = List.of("etcd-0", "etcd-1", "etcd-2").stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
    try (HistoryCheck check = HistoryCheck.start(target, ns, "etcd")) {
      awaitWrites(urls, creds, 100);
      target.fault(ns, follower, Faults.Fault.partition);
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() ->
          assertThat(member(target, ns, follower).getHealthy()).isFalse());
      try (Client c = ClientCredentials.jetcd(urls.stream().filter(u -> !u.contains(follower)).toList(), creds)) {
        List<java.util.concurrent.CompletableFuture<?>> puts = new java.util.ArrayList<>();
        for (int i = 0; i < 6000; i++) {
          puts.add(c.getKVClient().put(ByteSequence.from("/bulk/" + i, StandardCharsets.UTF_8),
              ByteSequence.from("v", StandardCharsets.UTF_8)));
          if (puts.size() == 200) {
            java.util.concurrent.CompletableFuture.allOf(puts.toArray(java.util.concurrent.CompletableFuture[]::new))
                .get(60, TimeUnit.SECONDS);
            puts.clear();
          }
        }
        java.util.concurrent.CompletableFuture.allOf(puts.toArray(java.util.concurrent.CompletableFuture[]::new))
            .get(60, TimeUnit.SECONDS);
      }
      target.fault(ns, follower, Faults.Fault.heal);
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() ->
          assertThat(member(target, ns, follower).getHealthy()).isTrue());
      assertThat(target.podLog(ns, follower, "etcd")).as("the follower got the leader's snapshot")
          .containsAnyOf("applied snapshot", "applied incoming snapshot", "receive database snapshot");
      ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(1));
      assertWhole(check.verdict(), target, ns, 3);
    }
  }

  @Test
  @Tag("extended") // minutes long: bin/run-tests --extended
  void fiveMembersSplitTwoThreeTheThreeServeTheTwoDoNot(TargetCluster target) throws Exception {
    String ns = "adv-split";
    Scenario.readyCluster(target, ns, "etcd", 5, s -> { });
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    Map<String, Long> ids = ClusterChecks.members(urls, creds);
    try (HistoryCheck check = HistoryCheck.start(target, ns, "etcd")) {
      awaitWrites(urls, creds, 100);
      target.fault(ns, "etcd-0,etcd-1", Faults.Fault.partition);
      List<String> three = urls.stream().filter(u -> !u.contains("etcd-0.") && !u.contains("etcd-1.")).toList();
      List<String> two = urls.stream().filter(u -> u.contains("etcd-0.") || u.contains("etcd-1.")).toList();
      // The majority side takes writes (the checker's clients also try the other side, and wait on it).
      try (Client c = ClientCredentials.jetcd(three, creds)) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
            c.getKVClient().put(ByteSequence.from("/three", StandardCharsets.UTF_8),
                ByteSequence.from("writes", StandardCharsets.UTF_8)).get(3, TimeUnit.SECONDS) != null);
        for (int i = 0; i < 20; i++) {
          c.getKVClient().put(ByteSequence.from("/three/" + i, StandardCharsets.UTF_8),
              ByteSequence.from("v", StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
        }
      }
      try (Client c = ClientCredentials.jetcd(two, creds)) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
          try {
            c.getKVClient().get(ByteSequence.from("x", StandardCharsets.UTF_8)).get(3, TimeUnit.SECONDS);
            return false; // served a linearizable read: not yet cut off
          } catch (Exception e) {
            return true;
          }
        });
      }
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() ->
          assertThat(get(target, ns).getStatus().getReadyReplicas()).isEqualTo(3));
      target.fault(ns, "etcd-0,etcd-1", Faults.Fault.heal);
      ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(2));
      awaitWrites(urls, creds, 50);
      assertWhole(check.verdict(), target, ns, 5);
    }
    assertThat(ClusterChecks.members(urls, creds)).isEqualTo(ids);
  }

  @Test
  @Tag("extended") // minutes long: bin/run-tests --extended
  void aSlowDiskIsNamedItsMemberDoesNotLeadAndIsNotRestartedInALoop(TargetCluster target) throws Exception {
    String ns = "adv-disk";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> { });
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    Map<String, Integer> restarts = restarts(target, ns);
    String leader = get(target, ns).getStatus().getLeader();
    try (HistoryCheck check = HistoryCheck.start(target, ns, "etcd")) {
      awaitWrites(urls, creds, 100);
      target.fault(ns, leader, Faults.Fault.slow_disk, "200ms");
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
        EtcdCluster ec = get(target, ns);
        Condition slow = ClusterChecks.conditions(ec).stream().filter(c -> c.getType().equals("DiskTooSlow")).findFirst()
            .orElseThrow();
        assertThat(slow.getMessage()).contains(leader + " (WAL fsync p99");
        assertThat(ec.getStatus().getLeader()).as("leadership moved off the slow disk").isNotEqualTo(leader);
      });
      assertThat(target.client().v1().events().inNamespace(ns).list().getItems()).anySatisfy(e -> {
        assertThat(e.getReason()).isEqualTo("LeadershipMoved");
        assertThat(e.getMessage()).contains("disk is too slow");
      });
      target.fault(ns, leader, Faults.Fault.fast_disk);
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() ->
          ClusterChecks.conditions(get(target, ns)).stream().noneMatch(c -> c.getType().equals("DiskTooSlow")));
      awaitWrites(urls, creds, 50);
      assertWhole(check.verdict(), target, ns, 3);
    } finally {
      target.fault(ns, leader, Faults.Fault.fast_disk);
    }
    assertThat(restarts(target, ns)).as("no restart in a loop, none at all").isEqualTo(restarts);
  }

  @Test
  @Tag("extended") // minutes long: bin/run-tests --extended
  void anUpgradeAndAScaleOutWaitForAFollowerCutOffAndFinishOnceItIsBack(TargetCluster target) throws Exception {
    String ns = "adv-roll";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> s.setVersion("3.6.14"));
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    String leader = get(target, ns).getStatus().getLeader();
    String follower = List.of("etcd-0", "etcd-1", "etcd-2").stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
    Map<String, String> uids = podUids(target, ns);
    try (HistoryCheck check = HistoryCheck.start(target, ns, "etcd")) {
      awaitWrites(urls, creds, 100);
      target.fault(ns, follower, Faults.Fault.partition);
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() ->
          assertThat(member(target, ns, follower).getHealthy()).isFalse());
      Scenario.editSpec(target, ns, "etcd", s -> {
        s.setVersion("3.6.16");
        s.setReplicas(5);
      });
      // With one of three cut off, restarting or adding a member could lose quorum: nothing moves.
      await().during(Duration.ofSeconds(20)).atMost(Duration.ofSeconds(30)).until(() -> podUids(target, ns).equals(uids)
          && ClusterChecks.members(target.clientUrls(ns, "etcd").stream().filter(u -> !u.contains(follower)).toList(),
              creds).size() == 3);
      target.fault(ns, follower, Faults.Fault.heal);
      await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().untilAsserted(() -> {
        EtcdCluster ec = get(target, ns);
        assertThat(ec.getStatus().getVersion()).isEqualTo("3.6.16");
        assertThat(ec.getStatus().getReadyReplicas()).isEqualTo(5);
      });
      ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(2));
      awaitWrites(target.clientUrls(ns, "etcd"), creds, 50);
      assertWhole(check.verdict(), target, ns, 5);
    }
  }

  @Test
  void aMajorityThatLostItsDataIsRecoveredOnRequestFromTheSurvivor(TargetCluster target) throws Exception {
    String ns = "adv-quorum";
    SnapshotE2E.readyClusterWithStore(target, ns, "etcd", 3, false, null);
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    try (Client c = ClientCredentials.jetcd(urls, creds)) {
      for (int i = 0; i < 200; i++) {
        c.getKVClient().put(ByteSequence.from("/kept/" + i, StandardCharsets.UTF_8),
            ByteSequence.from("v" + i, StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
      }
    }
    ClusterChecks.assertHashKvEqual(urls, creds); // every member has every write: any one may survive
    String survivor = "etcd-2";
    target.fault(ns, "etcd-0", Faults.Fault.wipe_data);
    target.fault(ns, "etcd-1", Faults.Fault.wipe_data);
    // Not by itself: the status says so, and how.
    awaitAdvice(target, ns, "2 of 3 members lost their data");
    recoverOnRequest(target, ns, "first");
    try (Client c = ClientCredentials.jetcd(urls, creds)) {
      var kept = c.getKVClient().get(ByteSequence.from("/kept/", StandardCharsets.UTF_8),
          io.etcd.jetcd.options.GetOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS);
      assertThat(kept.getCount()).as("every write the survivor had").isEqualTo(200);
      assertThat(kept.getHeader().getRevision()).as("revisions bumped: watchers never see them go back")
          .isGreaterThan(1_000_000_000L);
    }
    assertThat(target.client().v1().events().inNamespace(ns).list().getItems())
        .filteredOn(e -> "QuorumRecovery".equals(e.getReason())).extracting(io.fabric8.kubernetes.api.model.Event::getMessage)
        .anySatisfy(m -> assertThat(m).contains(survivor, "survivor furthest ahead"))
        .anySatisfy(m -> assertThat(m).contains("re-creating every member"));
    assertThat(get(target, ns).getStatus().getOperation()).satisfies(op -> {
      assertThat(op.getType()).isEqualTo("RecoverQuorum");
      assertThat(op.getMessage()).contains("remove the etcdpilot.io/recover-quorum annotation");
    });
    ClusterChecks.assertExactlyMembers(urls, creds, "etcd", 3);
    ClusterChecks.assertHashKvEqual(urls, creds);
  }

  @Test
  void everyVolumeLostIsRecoveredOnRequestFromTheSnapshotADrillVerified(TargetCluster target) throws Exception {
    String ns = "adv-all-lost";
    SnapshotE2E.readyClusterWithStore(target, ns, "etcd", 3, false, "* * * * *");
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    SnapshotE2E.put(urls, creds, "/before/", 100);
    target.client().resource(SnapshotE2E.snapshot(ns, "etcd-good", "etcd")).create();
    SnapshotE2E.awaitPhase(target, ns, "etcd-good", "Succeeded", Duration.ofMinutes(1));
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
        assertThat(get(target, ns).getStatus().getBackup().getLastPassedSnapshot()).isEqualTo("etcd-good"));
    SnapshotE2E.put(urls, creds, "/after/", 50); // only the members have these: lost with them
    for (String m : List.of("etcd-0", "etcd-1", "etcd-2")) target.fault(ns, m, Faults.Fault.wipe_data);
    awaitAdvice(target, ns, "3 of 3 members lost their data");
    recoverOnRequest(target, ns, "all-lost");
    try (Client c = ClientCredentials.jetcd(urls, creds)) {
      var kv = c.getKVClient();
      assertThat(kv.get(ByteSequence.from("/before/", StandardCharsets.UTF_8), io.etcd.jetcd.options.GetOption.builder()
          .isPrefix(true).withCountOnly(true).build()).get(10, TimeUnit.SECONDS).getCount())
          .as("what the verified snapshot held").isEqualTo(100);
      assertThat(kv.get(ByteSequence.from("/after/", StandardCharsets.UTF_8), io.etcd.jetcd.options.GetOption.builder()
          .isPrefix(true).withCountOnly(true).build()).get(10, TimeUnit.SECONDS).getCount())
          .as("writes after it, which only the lost volumes had").isZero();
    }
    assertThat(target.client().v1().events().inNamespace(ns).list().getItems())
        .filteredOn(e -> "QuorumRecovery".equals(e.getReason())).extracting(io.fabric8.kubernetes.api.model.Event::getMessage)
        .anySatisfy(m -> assertThat(m).contains("etcd-good", "verified by a drill", "are lost"));
    ClusterChecks.assertExactlyMembers(urls, creds, "etcd", 3);
    ClusterChecks.assertHashKvEqual(urls, creds);
  }

  /** Not by itself: Ready says what was lost, and how to ask for a recovery. */
  static void awaitAdvice(TargetCluster target, String ns, String lost) {
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
      Condition ready = ClusterChecks.conditions(get(target, ns)).stream().filter(x -> x.getType().equals("Ready"))
          .findFirst().orElseThrow();
      assertThat(ready.getStatus()).isEqualTo("False");
      assertThat(ready.getMessage()).contains(lost, "etcdpilot.io/recover-quorum");
    });
  }

  /** Asks for a quorum recovery as a person would (the cluster's uid and a token), and waits for all 3 ready. */
  static void recoverOnRequest(TargetCluster target, String ns, String token) {
    String uid = get(target, ns).getMetadata().getUid();
    Scenario.edit(target, ns, "etcd", ec -> {
      if (ec.getMetadata().getAnnotations() == null) ec.getMetadata().setAnnotations(new java.util.HashMap<>());
      ec.getMetadata().getAnnotations().put("etcdpilot.io/recover-quorum", uid + ":" + token);
    });
    await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().untilAsserted(() -> {
      EtcdCluster ec = get(target, ns);
      assertThat(io.etcdpilot.operator.status.Conditions.isTrue(ec.getStatus().getConditions(), "Ready")).isTrue();
      assertThat(ec.getStatus().getReadyReplicas()).isEqualTo(3);
    });
  }
}
