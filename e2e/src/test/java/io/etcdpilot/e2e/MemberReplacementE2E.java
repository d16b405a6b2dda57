package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.status.Conditions;
import io.etcdpilot.sandbox.Faults;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Members that cannot serve are handled without a person: one whose volume was lost is replaced by a new
 * member on an empty volume; a new member that never starts is given up after the learner deadline.
 */
@ExtendWith(TargetExtension.class)
class MemberReplacementE2E {
  TargetCluster target;

  boolean operatorChanged;

  @AfterEach
  void defaultOperator() {
    if (operatorChanged) target.restartOperator(Map.of());
  }

  @Test
  void memberWhoseVolumeIsWipedIsReplacedWhileQuorumHolds(TargetCluster target) throws Exception {
    String ns = "wipe";
    this.target = target;
    Scenario.readyCluster(target, ns, "etcd", 3, s -> { });
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    Map<String, Long> before = ClusterChecks.members(urls, creds);
    // A member in the middle: its ordinal is re-added (not shrunk away) and its old volume must be wiped.
    String victim = "etcd-1";

    try (WriteLoad load = new WriteLoad(urls, () -> target.credentials(ns, "etcd"), "/wipe/");
         HistoryCheck check = HistoryCheck.start(target, ns, "etcd")) {
      load.awaitMore(100, Duration.ofSeconds(30));
      target.fault(ns, victim, Faults.Fault.wipe_data);

      // The operator notices the lost data and removes the member; quorum holds: writes keep being acknowledged.
      awaitEvent(ns, "ReplacingMember", "lost its data");
      load.awaitMore(20, Duration.ofSeconds(15));
      awaitReplaced(ns, urls, creds, before, victim, Duration.ofMinutes(4));
      ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(1));
      load.awaitMore(100, Duration.ofSeconds(30));
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
      check.verdict().assertClean("a member's data wiped");
    }
    Map<String, Long> after = ClusterChecks.members(urls, creds);
    before.forEach((name, id) -> {
      if (!name.equals(victim)) assertThat(after.get(name)).as("untouched member %s", name).isEqualTo(id);
    });
    assertThat(reasons(ns)).contains("ReplacingMember", "MemberRemoved", "MemberAdded", "VolumeWiped", "MemberPromoted");
    ClusterChecks.assertHashKvEqual(urls, creds);
    TargetCluster.Exec health = target.etcdctl(ns, "etcd", "endpoint", "health", "--cluster");
    assertThat(health.exitCode()).as(health.output()).isZero();
  }

  @Test
  void memberUnreachablePastTheDeadlineIsReplaced(TargetCluster target) throws Exception {
    this.target = target;
    String ns = "frozen";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> { });
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    Map<String, Long> before = ClusterChecks.members(urls, creds);
    operatorChanged = true;
    target.restartOperator(Map.of("FAILED_MEMBER_DEADLINE", "15s"));

    try (WriteLoad load = new WriteLoad(urls, () -> target.credentials(ns, "etcd"), "/frozen/")) {
      load.awaitMore(100, Duration.ofSeconds(30));
      // Hung, not crashed: the process keeps its port open but answers nothing, so nothing restarts it.
      target.fault(ns, "etcd-1", Faults.Fault.freeze);
      awaitEvent(ns, "ReplacingMember", "unreachable for more than 15s");
      awaitReplaced(ns, urls, creds, before, "etcd-1", Duration.ofMinutes(3));
      load.awaitMore(100, Duration.ofSeconds(30));
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
    }
    ClusterChecks.assertHashKvEqual(urls, creds);
  }

  @Test
  void newMemberThatCannotStartIsRemovedAfterTheDeadline(TargetCluster target) throws Exception {
    this.target = target;
    String ns = "stuck-learner";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> { });
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    Map<String, Long> before = ClusterChecks.members(urls, creds);
    operatorChanged = true;
    target.restartOperator(Map.of("LEARNER_DEADLINE", "20s"));
    // The fourth member's image cannot be pulled on its node.
    target.fault(ns, "etcd-3", Faults.Fault.pull_fails);

    try (WriteLoad load = new WriteLoad(urls, () -> target.credentials(ns, "etcd"), "/stuck/")) {
      load.awaitMore(100, Duration.ofSeconds(30));
      target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").scale(4);

      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
        assertThat(ec.getStatus().getMemberFailure()).as("memberFailure").isNotNull();
        assertThat(ec.getStatus().getMemberFailure().getMember()).isEqualTo("etcd-3");
        assertThat(ec.getStatus().getMemberFailure().getMessage()).contains("did not catch up within 20s")
            .contains("ImagePullBackOff");
        assertThat(Conditions.find(ClusterChecks.conditions(ec), Conditions.STALLED))
            .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("LearnerFailed"));
        assertThat(ec.getStatus().getMembers()).hasSize(3);
        assertThat(target.client().apps().statefulSets().inNamespace(ns).withName("etcd").get().getSpec().getReplicas())
            .isEqualTo(3);
      });
      assertThat(ClusterChecks.members(urls, creds)).isEqualTo(before);
      // Healthy and writable, and no retry loop: nothing is added again under this spec.
      load.awaitMore(100, Duration.ofSeconds(30));
      long adds = reasons(ns).stream().filter("MemberAdded"::equals).count();
      assertThat(adds).isEqualTo(1);

      // Fixed, and the spec changes: the member is added.
      target.fault(ns, "etcd-3", Faults.Fault.pull_ok);
      Scenario.editSpec(target, ns, "etcd", spec -> spec.setReplicas(5));
      await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
        assertThat(ec.getStatus().getReadyReplicas()).isEqualTo(5);
        assertThat(ec.getStatus().getOperation()).isNull();
        assertThat(Conditions.isTrue(ClusterChecks.conditions(ec), Conditions.STALLED)).isFalse();
      });
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
    }
    ClusterChecks.assertHashKvEqual(target.clientUrls(ns, "etcd"), creds);
  }

  private void awaitEvent(String ns, String reason, String messagePart) {
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> target.client().v1().events()
        .inNamespace(ns).list().getItems().stream()
        .anyMatch(e -> reason.equals(e.getReason()) && e.getMessage().contains(messagePart)));
  }

  /** The same members as before, {@code victim} under a new ID, all healthy voters, nothing in flight. */
  private void awaitReplaced(String ns, List<String> urls, ClientCredentials creds, Map<String, Long> before,
      String victim, Duration within) {
    // (A learner refuses most calls: while one exists the member list may come from it and fail.)
    await().atMost(within).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
      Map<String, Long> now = ClusterChecks.members(urls, creds);
      assertThat(now).containsOnlyKeys(before.keySet());
      assertThat(now.get(victim)).as("%s has a new member ID", victim).isNotEqualTo(before.get(victim));
      EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
      assertThat(ec.getStatus().getReadyReplicas()).isEqualTo(before.size());
      assertThat(ec.getStatus().getOperation()).isNull();
    });
  }

  private List<String> reasons(String ns) {
    return target.client().v1().events().inNamespace(ns).list().getItems().stream().map(Event::getReason).toList();
  }
}
