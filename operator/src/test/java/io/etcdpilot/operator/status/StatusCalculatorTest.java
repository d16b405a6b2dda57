package io.etcdpilot.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterSpec;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterStatus;
import io.etcdpilot.operator.api.v1alpha1.MemberStatus;
import io.etcdpilot.operator.api.v1alpha1.MaintenanceStatus;
import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.EtcdAlarm;
import io.etcdpilot.operator.etcd.ObservedMember;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.SpecViolation;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusCalculatorTest {
  final StatusCalculator calculator = new StatusCalculator();
  final Instant now = Instant.parse("2026-12-01T10:00:00Z");

  static EtcdCluster cluster(int replicas) {
    EtcdCluster c = new EtcdCluster();
    c.setMetadata(new ObjectMetaBuilder().withName("db").withNamespace("ns").withGeneration(4L).build());
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setReplicas(replicas);
    spec.setVersion("3.5.16");
    c.setSpec(spec);
    return c;
  }

  static ObservedMember member(int i, boolean reachable, String error) {
    return new ObservedMember(100 + i, "db-" + i, List.of("https://db-" + i + ".db-peer:2380"),
        List.of("https://db-" + i + ".db-peer:2379"), false, reachable, reachable ? "3.5.16" : null,
        reachable ? 5 * 1024 * 1024 : 0, 10, 3, reachable ? 100 : 0, error);
  }

  EtcdClusterStatus compute(EtcdCluster c, ClusterObservation obs, List<SpecViolation> refused) {
    return calculator.compute(new StatusCalculator.Inputs(c, new ClusterNames("db", "ns", "cluster.local"), obs, 3,
        false, true, StatusCalculator.Work.idle(), new StatusCalculator.Problems(List.of(), refused, null, null, List.of()), now));
  }

  static ClusterObservation observed(ObservedMember... members) {
    return new ClusterObservation(true, 0xabcL, List.of(members), null);
  }

  @Test
  void noSpaceIsNotReadyWhateverTheMembersSayAndCorruptionToo() {
    EtcdCluster c = cluster(3);
    ClusterObservation obs = observed(member(0, true, null), member(1, true, null), member(2, true, null));
    var maintenance = io.etcdpilot.operator.maintenance.MaintenanceRecords.tracked(new MaintenanceStatus(), true,
        "db-1 (5.0 MiB, 5.0 MiB in use)", now);
    EtcdClusterStatus s = calculator.compute(new StatusCalculator.Inputs(c, new ClusterNames("db", "ns", "cluster.local"),
        obs.withAlarms(List.of(new EtcdAlarm(101, EtcdAlarm.Type.NOSPACE))), 3, false, true,
        new StatusCalculator.Work(null, null, null, null, maintenance), StatusCalculator.Problems.none(), now));
    assertThat(Conditions.find(s.getConditions(), Conditions.READY)).hasValueSatisfying(r -> {
      assertThat(r.getStatus()).isEqualTo("False");
      assertThat(r.getReason()).isEqualTo("QuotaExhausted");
      assertThat(r.getMessage()).contains("refuses writes", "db-1", "compacting");
    });
    assertThat(s.getMembers()).allSatisfy(m -> assertThat(m.getDbSizeInUse()).isEqualTo("5Mi"));
    EtcdClusterStatus corrupt = calculator.compute(new StatusCalculator.Inputs(c, new ClusterNames("db", "ns",
        "cluster.local"), obs.withAlarms(List.of(new EtcdAlarm(0, EtcdAlarm.Type.CORRUPT))), 3, false, true,
        StatusCalculator.Work.idle(), StatusCalculator.Problems.none(), now));
    assertThat(Conditions.find(corrupt.getConditions(), Conditions.READY)).hasValueSatisfying(r ->
        assertThat(r.getReason()).isEqualTo("DataCorrupted"));
  }

  @Test
  void aSlowDiskIsNamedWithItsPercentile() {
    EtcdCluster c = cluster(3);
    ClusterObservation obs = observed(member(0, true, null), member(1, true, null), member(2, true, null))
        .withDiskLatency(java.util.Map.of(100L, 2.0, 101L, 512.0));
    EtcdClusterStatus s = compute(c, obs, List.of());
    assertThat(Conditions.find(s.getConditions(), Conditions.DISK_TOO_SLOW)).hasValueSatisfying(d -> {
      assertThat(d.getStatus()).isEqualTo("True");
      assertThat(d.getMessage()).contains("db-1 (WAL fsync p99 512 ms)").doesNotContain("db-0");
    });
    assertThat(s.getMembers()).extracting(MemberStatus::getWalFsyncP99).containsExactly("2ms", "512ms", null);
    assertThat(Conditions.find(compute(c, observed(member(0, true, null)), List.of()).getConditions(),
        Conditions.DISK_TOO_SLOW)).isEmpty();
  }

  @Test
  void defragFailingIsPresentOnlyWhileAMemberKeepsFailing() {
    EtcdCluster c = cluster(3);
    ClusterObservation obs = observed(member(0, true, null), member(1, true, null), member(2, true, null));
    MaintenanceStatus m = new MaintenanceStatus();
    for (int i = 0; i < 3; i++) {
      m = io.etcdpilot.operator.maintenance.MaintenanceRecords.failed(m, "db-2", "deadline exceeded", now);
    }
    MaintenanceStatus failing = m;
    EtcdClusterStatus s = calculator.compute(new StatusCalculator.Inputs(c, new ClusterNames("db", "ns", "cluster.local"),
        obs, 3, false, true, new StatusCalculator.Work(null, null, null, null, failing), StatusCalculator.Problems.none(),
        now));
    assertThat(Conditions.find(s.getConditions(), Conditions.DEFRAG_FAILING)).hasValueSatisfying(d -> {
      assertThat(d.getReason()).isEqualTo("RepeatedFailures");
      assertThat(d.getMessage()).contains("db-2", "3 failures", "deadline exceeded");
    });
    assertThat(Conditions.isTrue(s.getConditions(), Conditions.READY)).as("the cluster itself is fine").isTrue();
    MaintenanceStatus healed = io.etcdpilot.operator.maintenance.MaintenanceRecords.defragmented(failing, "db-2", 10, 5,
        java.time.Duration.ofSeconds(1), now);
    EtcdClusterStatus after = calculator.compute(new StatusCalculator.Inputs(c, new ClusterNames("db", "ns",
        "cluster.local"), obs, 3, false, true, new StatusCalculator.Work(null, null, null, null, healed),
        StatusCalculator.Problems.none(), now));
    assertThat(Conditions.find(after.getConditions(), Conditions.DEFRAG_FAILING)).isEmpty();
  }

  @Test
  void healthyClusterIsReadyAndTheSameInputsGiveAnEqualStatus() {
    EtcdCluster c = cluster(3);
    ClusterObservation obs = observed(member(0, true, null), member(1, true, null), member(2, true, null));
    EtcdClusterStatus s = compute(c, obs, List.of());
    assertThat(Conditions.isTrue(s.getConditions(), Conditions.READY)).isTrue();
    assertThat(s.getLeader()).isEqualTo("db-0");
    assertThat(s.getReadyReplicas()).isEqualTo(3);
    assertThat(s.getObservedGeneration()).isEqualTo(4L);
    assertThat(s.getMembers()).extracting(MemberStatus::getRole)
        .containsExactly(MemberStatus.Role.leader, MemberStatus.Role.follower, MemberStatus.Role.follower);
    c.setStatus(s);
    assertThat(compute(c, obs, List.of())).as("no write when nothing changed").isEqualTo(s);
  }

  @Test
  void unhealthyMemberSaysWhyInWordsThatDoNotChangeEveryPass() {
    EtcdCluster c = cluster(3);
    EtcdClusterStatus first = compute(c, observed(member(0, true, null), member(1, true, null),
        member(2, false, "StatusRuntimeException: DEADLINE_EXCEEDED: deadline exceeded after 2.998s")), List.of());
    assertThat(Conditions.find(first.getConditions(), Conditions.READY).orElseThrow().getReason()).isEqualTo("MembersUnhealthy");
    assertThat(first.getMembers().get(2).getError()).isEqualTo("no answer within the timeout");
    assertThat(first.getMembers().get(0).getError()).isNull();
    c.setStatus(first);
    EtcdClusterStatus second = compute(c, observed(member(0, true, null), member(1, true, null),
        member(2, false, "StatusRuntimeException: DEADLINE_EXCEEDED: deadline exceeded after 3.001s")), List.of());
    assertThat(second).isEqualTo(first);
  }

  @Test
  void rejectedOperatorCertificateIsItsOwnReason() {
    EtcdCluster c = cluster(3);
    EtcdClusterStatus formed = compute(c, observed(member(0, true, null), member(1, true, null), member(2, true, null)), List.of());
    c.setStatus(formed);
    EtcdClusterStatus s = compute(c, ClusterObservation.unreachable(
        "SSLHandshakeException: Received fatal alert: bad_certificate"), List.of());
    var ready = Conditions.find(s.getConditions(), Conditions.READY).orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("ClientCertificateRejected");
    assertThat(s.getClusterID()).as("kept while unreachable").isEqualTo(formed.getClusterID());
  }

  @Test
  void refusedChangeStallsWithoutStoppingTheRest() {
    EtcdClusterStatus s = compute(cluster(3), observed(member(0, true, null), member(1, true, null), member(2, true, null)),
        List.of(new SpecViolation("spec.storage.size", "cannot change on an existing cluster")));
    var stalled = Conditions.find(s.getConditions(), Conditions.STALLED).orElseThrow();
    assertThat(stalled.getStatus()).isEqualTo("True");
    assertThat(stalled.getReason()).isEqualTo("ChangeRefused");
    assertThat(stalled.getMessage()).contains("spec.storage.size");
    assertThat(Conditions.isTrue(s.getConditions(), Conditions.READY)).as("members are fine").isTrue();
  }

  @Test
  void failedPassKeepsWhatWasObservedAndReportsTheError() {
    EtcdCluster c = cluster(3);
    c.setStatus(compute(c, observed(member(0, true, null), member(1, true, null), member(2, true, null)), List.of()));
    EtcdClusterStatus failed = calculator.failed(c, "API server answered 500: etcdserver: request timed out", now);
    assertThat(failed.getMembers()).isEqualTo(c.getStatus().getMembers());
    var ready = Conditions.find(failed.getConditions(), Conditions.READY).orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("ReconcileError");
    assertThat(ready.getMessage()).contains("request timed out");
    assertThat(Conditions.isTrue(failed.getConditions(), Conditions.RECONCILING)).isTrue();
    assertThat(new ArrayList<>(failed.getConditions())).extracting(x -> x.getType()).contains(Conditions.STALLED);
  }

  @Test
  void errorPhrases() {
    assertThat(EtcdErrors.summarize("ConnectException: Connection refused: db-1/127.0.0.3:2379")).isEqualTo("connection refused");
    assertThat(EtcdErrors.summarize("not started")).isEqualTo("added, not started yet");
    assertThat(EtcdErrors.summarize("UnresolvedAddressException")).isEqualTo("its name does not resolve");
    assertThat(EtcdErrors.summarize(null)).isNull();
    assertThat(EtcdErrors.tlsRejected("SSLHandshakeException: PKIX path building failed")).isTrue();
    assertThat(EtcdErrors.tlsRejected("Connection refused")).isFalse();
  }

  static ObservedMember running(int i, String version) {
    return new ObservedMember(100 + i, "db-" + i, List.of("https://db-" + i + ".db-peer:2380"),
        List.of("https://db-" + i + ".db-peer:2379"), false, version != null, version, 0, 10, 3, 100,
        version == null ? "connection refused" : null);
  }

  @Test
  void versionRisesOnlyWhenEveryMemberAnswersAndFallsAtOnce() {
    // mid-roll: the last old member is restarting; the two that answer already run the new version
    assertThat(StatusCalculator.lowestVersion(observed(running(0, "3.6.16"), running(1, "3.6.16"), running(2, null)),
        "3.5.35")).isEqualTo("3.5.35");
    assertThat(StatusCalculator.lowestVersion(observed(running(0, "3.6.16"), running(1, "3.6.16"), running(2, "3.6.16")),
        "3.5.35")).isEqualTo("3.6.16");
    assertThat(StatusCalculator.lowestVersion(observed(running(0, "3.6.16"), running(1, "3.5.35"), running(2, null)),
        "3.6.16")).isEqualTo("3.5.35");
    assertThat(StatusCalculator.lowestVersion(observed(running(0, "3.6.0-rc.1"), running(1, "custom-build")), null))
        .isEqualTo("3.6.0-rc.1");
  }

  @Test
  void aPodThatCannotStartIsNamedWithKubernetesOwnWords() {
    EtcdCluster c = cluster(4);
    String why = "pod db-3 cannot be scheduled: 0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules";
    EtcdClusterStatus s = calculator.compute(new StatusCalculator.Inputs(c, new ClusterNames("db", "ns", "cluster.local"),
        observed(member(0, true, null), member(1, true, null), member(2, true, null)), 4, false, true,
        new StatusCalculator.Work(new io.etcdpilot.operator.api.v1alpha1.Operation("AddMember", "db-3", now.toString(),
            "learner added; starting its pod"), null, null, null),
        new StatusCalculator.Problems(List.of(), List.of(), null, null, List.of(why)), now));
    var reconciling = Conditions.find(s.getConditions(), Conditions.RECONCILING).orElseThrow();
    assertThat(reconciling.getStatus()).isEqualTo("True");
    assertThat(reconciling.getMessage()).contains("db-3").contains("didn't match pod anti-affinity rules");
    assertThat(Conditions.find(s.getConditions(), Conditions.READY).orElseThrow().getMessage())
        .contains("0/3 nodes are available");
  }
}
