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

  /** etcd's default election timeout (1 s) twice, plus the test client's retry after a failed write (its 5 s deadline). */
  static final Duration GAP_BOUND = Duration.ofSeconds(2 + 5);

  @Test
  void minorUpgradeRollsEveryMemberWithOneLeaderChangeAndNoLostWrite(TargetCluster target) throws Exception {
    String ns = "upgrade";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> s.setVersion(FROM));
    rollUnderWrites(target, ns, TO, "/upgrade/");
    assertThat(reasons(target, ns)).contains("UpgradeStarted", "RestartingMember", "LeadershipMoved", "UpgradeCompleted");
    assertThat(messages(target, ns, "RestartingMember")).allMatch(m -> m.contains("version " + FROM + " → " + TO));
  }

  @Test
  void patchThenMinorUpgradeToThreeSeven(TargetCluster target) throws Exception {
    String ns = "upgrade-37";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> s.setVersion("3.6.14"));
    rollUnderWrites(target, ns, "3.6.16", "/patch/");
    rollUnderWrites(target, ns, "3.7.3", "/minor/");
  }

  @Test
  void minorDowngradeGoesThroughEtcdsDowngradeApi(TargetCluster target) throws Exception {
    String ns = "downgrade";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> s.setVersion(TO));
    rollUnderWrites(target, ns, FROM, "/downgrade/");
    // etcd moved the cluster down first; only then were binaries swapped.
    assertThat(reasons(target, ns)).contains("DowngradeEnabled");
    List<String> events = target.client().v1().events().inNamespace(ns).list().getItems().stream()
        .sorted(java.util.Comparator.comparing(e -> e.getMetadata().getCreationTimestamp()))
        .map(e -> e.getReason()).filter(r -> r.equals("DowngradeEnabled") || r.equals("RestartingMember")).toList();
    assertThat(events.get(0)).as("first of DowngradeEnabled and RestartingMember").isEqualTo("DowngradeEnabled");
  }

  /**
   * Changes spec.version under continuous writes and waits until every member runs it; then: no acknowledged write
   * lost, the longest write gap bounded, exactly one election, the same member IDs, equal hashes.
   */
  private static void rollUnderWrites(TargetCluster target, String ns, String version, String prefix) throws Exception {
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    Map<String, Long> members = ClusterChecks.members(urls, creds);
    long termBefore = ClusterChecks.raftTerm(urls, creds);
    WriteLoad.Report report;
    HistoryCheck.Verdict checked;
    try (WriteLoad load = new WriteLoad(urls, creds, prefix);
         HistoryCheck check = HistoryCheck.start(target, ns, "etcd")) {
      load.awaitMore(100, Duration.ofSeconds(30));
      Scenario.setVersion(target, ns, version);
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
        assertThat(ClusterChecks.statuses(urls, creds).values()).extracting(ClusterChecks.MemberStatus::version)
            .containsOnly(version);
        EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
        assertThat(ec.getStatus().getVersion()).isEqualTo(version);
        assertThat(ec.getStatus().getUpgrade()).as("status.upgrade once done").isNull();
        assertThat(ec.getStatus().getOperation()).isNull();
        assertThat(Conditions.isTrue(ClusterChecks.conditions(ec), Conditions.READY)).isTrue();
      });
      load.awaitMore(100, Duration.ofSeconds(30));
      report = load.stopAndVerify();
      checked = check.verdict();
    }
    checked.assertClean("roll of " + ns + " to " + version);
    System.out.printf("roll of %s to %s: %d writes acknowledged, %d failed, longest gap %d ms%n", ns, version,
        report.acknowledged(), report.failed(), report.longestGap().toMillis());
    assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
    assertThat(report.longestGap()).as("longest gap between acknowledged writes").isLessThan(GAP_BOUND);
    // Followers restart without an election (pre-vote); leadership moves once, before the old leader restarts.
    assertThat(ClusterChecks.raftTerm(urls, creds) - termBefore).as("elections during the roll").isEqualTo(1);
    assertThat(ClusterChecks.members(urls, creds)).as("member IDs").isEqualTo(members);
    ClusterChecks.assertHashKvEqual(urls, creds);
  }

  @Test
  void upgradeFromBelowTheGuidesMinimumIsRefusedAndNothingRestarts(TargetCluster target) throws Exception {
    String ns = "upgrade-refused";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> s.setVersion("3.5.11"));
    Map<String, String> podsBefore = pods(target, ns);

    Scenario.setVersion(target, ns, TO);
    await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
      EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
      var stalled = ClusterChecks.condition(ec, Conditions.STALLED);
      assertThat(stalled.getStatus()).isEqualTo("True");
      assertThat(stalled.getReason()).isEqualTo("ChangeRefused");
      assertThat(stalled.getMessage()).contains("spec.version").contains("3.5.32 or later");
      assertThat(Conditions.isTrue(ClusterChecks.conditions(ec), Conditions.READY)).isTrue();
    });
    assertThat(target.client().apps().statefulSets().inNamespace(ns).withName("etcd").get().getSpec().getTemplate()
        .getSpec().getContainers().get(0).getImage()).endsWith(":v3.5.11");
    assertThat(pods(target, ns)).as("same pods, none restarted").isEqualTo(podsBefore);

    // Skipping a minor is refused the same way.
    Scenario.setVersion(target, ns, "3.5.35");
    ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(3));
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() ->
        "3.5.35".equals(target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get().getStatus()
            .getVersion()));
    Map<String, String> onThreeFive = pods(target, ns);
    Scenario.setVersion(target, ns, "3.7.3");
    await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
      EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
      var stalled = ClusterChecks.condition(ec, Conditions.STALLED);
      assertThat(stalled.getReason()).isEqualTo("ChangeRefused");
      assertThat(stalled.getMessage()).contains("spec.version").contains("one minor version at a time");
    });
    assertThat(reasons(target, ns)).contains("UpgradeRefused");
    assertThat(pods(target, ns)).as("same pods, none restarted").isEqualTo(onThreeFive);
  }

  @Test
  void anUpgradeWhoseImageCannotBePulledStopsAfterOneMemberAndARevertRecovers(TargetCluster target) throws Exception {
    this.target = target;
    String ns = "upgrade-stuck";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> s.setVersion(FROM));
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    Map<String, Long> members = ClusterChecks.members(urls, creds);
    operatorChanged = true;
    // Deadlines short enough for a test; the failed-member one shorter, to show it does not fire for a stuck member.
    target.restartOperator(Map.of("UPGRADE_PROGRESS_DEADLINE", "20s", "FAILED_MEMBER_DEADLINE", "10s"));
    String missing = "3.6.15"; // a real release, but no image of it on this machine: its pull fails
    try (WriteLoad load = new WriteLoad(urls, creds, "/stuck/")) {
      load.awaitMore(100, Duration.ofSeconds(30));
      Scenario.setVersion(target, ns, missing);
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
        var stalled = ClusterChecks.condition(ec, Conditions.STALLED);
        assertThat(stalled.getReason()).isEqualTo("UpgradeStuck");
        assertThat(stalled.getMessage()).contains("not become healthy on etcd " + missing).contains("ImagePull");
        assertThat(ec.getStatus().getUpgrade().getTo()).isEqualTo(missing);
        assertThat(ec.getStatus().getUpgrade().getFrom()).isEqualTo(FROM);
      });
      // Well past both deadlines: still one member on the new image, and nobody replaced.
      load.awaitMore(300, Duration.ofSeconds(30));
      List<String> images = target.client().pods().inNamespace(ns).list().getItems().stream()
          .map(p -> p.getSpec().getContainers().get(0).getImage()).toList();
      assertThat(images).filteredOn(i -> i.endsWith(":v" + missing)).hasSize(1);
      assertThat(ClusterChecks.members(urls, creds)).as("no member replaced").isEqualTo(members);
      assertThat(reasons(target, ns)).contains("UpgradeStuck").doesNotContain("ReplacingMember", "MemberRemoved");

      Scenario.setVersion(target, ns, FROM);
      ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(3));
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
        assertThat(ec.getStatus().getUpgrade()).isNull();
        assertThat(Conditions.isTrue(ClusterChecks.conditions(ec), Conditions.STALLED)).isFalse();
        assertThat(ClusterChecks.statuses(urls, creds).values()).extracting(ClusterChecks.MemberStatus::version)
            .containsOnly(FROM);
      });
      load.awaitMore(100, Duration.ofSeconds(30));
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
    }
    assertThat(ClusterChecks.members(urls, creds)).isEqualTo(members);
    ClusterChecks.assertHashKvEqual(urls, creds);
  }

  TargetCluster target;
  boolean operatorChanged;

  @org.junit.jupiter.api.AfterEach
  void defaultOperator() {
    if (operatorChanged) target.restartOperator(Map.of());
  }

  static List<String> reasons(TargetCluster target, String ns) {
    return target.client().v1().events().inNamespace(ns).list().getItems().stream().map(e -> e.getReason()).toList();
  }

  static List<String> messages(TargetCluster target, String ns, String reason) {
    return target.client().v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason())).map(e -> e.getMessage()).toList();
  }


  /** Pod name → uid and restart count. */
  private static Map<String, String> pods(TargetCluster target, String ns) {
    return target.client().pods().inNamespace(ns).list().getItems().stream().collect(Collectors.toMap(
        p -> p.getMetadata().getName(), (Pod p) -> p.getMetadata().getUid() + "/"
            + p.getStatus().getContainerStatuses().get(0).getRestartCount()));
  }
}
