package io.etcdpilot.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.MaintenanceStatus;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterStatus;
import io.etcdpilot.operator.api.v1alpha1.Operation;
import io.etcdpilot.operator.model.LearnerClock;
import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.membership.MembershipPlanner;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.plan.OperationType;
import io.etcdpilot.operator.plan.Step;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The fixed order: membership first, rolling restarts only when membership has nothing to do or wait for. */
class StepArbiterTest {
  static final long QUOTA = 2L << 30;
  final Instant now = Instant.parse("2026-12-01T12:00:00Z");
  final ClusterNames names = new ClusterNames("demo", "prod", "cluster.local");
  final StepArbiter arbiter = new StepArbiter(new MembershipPlanner());

  static StatefulSet statefulSet(int replicas) {
    return new StatefulSetBuilder().withNewMetadata().withName("demo").withGeneration(2L).endMetadata()
        .withNewSpec().withReplicas(replicas).endSpec()
        .withNewStatus().withObservedGeneration(2L).withUpdateRevision("demo-new").endStatus().build();
  }

  Pod pod(int ordinal, String revision) {
    return new PodBuilder().withNewMetadata().withName("demo-" + ordinal)
        .withLabels(Map.of("controller-revision-hash", revision)).endMetadata()
        .withNewStatus().addNewCondition().withType("Ready").withStatus("True")
          .withLastTransitionTime(now.minusSeconds(600).toString()).endCondition().endStatus().build();
  }

  StepArbiter.Decision pick(int desired, String revision) {
    return pick(desired, revision, StepArbiter.Roll.none());
  }

  StepArbiter.Decision pick(int desired, String revision, StepArbiter.Roll roll) {
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName("demo").withNamespace("prod").withGeneration(1L).build());
    List<Pod> pods = IntStream.range(0, 3).mapToObj(i -> pod(i, revision)).toList();
    ClusterObservation observation = FakeObserver.healthy("demo", 3, 1000, 1_000_000);
    return arbiter.pick(new StepArbiter.Inputs(cluster, names, desired, statefulSet(3), pods, List.of(), observation,
        null, roll, new MaintenanceStatus(), QUOTA, List.of(), "8Gi", false), now);
  }

  @Test
  void nothingToDoIsNoDecision() {
    assertThat(pick(3, "demo-new").step()).isEqualTo(new Step.Nothing());
  }

  @Test
  void outdatedMembersAreRestartedWhenMembershipIsAsWanted() {
    StepArbiter.Decision d = pick(3, "demo-old");
    assertThat(d.type()).isEqualTo(OperationType.RollingRestart);
    assertThat(d.step()).isInstanceOf(Step.RestartMember.class); // a follower first, the leader (demo-0) last
    assertThat(((Step.RestartMember) d.step()).pod()).isNotEqualTo("demo-0");
  }

  @Test
  void aMembershipChangeComesBeforeAnyRestart() {
    StepArbiter.Decision d = pick(4, "demo-old");
    assertThat(d.type()).isEqualTo(OperationType.AddMember);
    assertThat(d.step()).isEqualTo(new Step.AddLearner(3));
  }

  @Test
  void etcdsDowngradeStepComesAfterMembershipAndBeforeAnyRestart() {
    StepArbiter.Roll downgrade = new StepArbiter.Roll(new Step.EnableDowngrade("3.5"), OperationType.Downgrade,
        java.util.Set.of());
    StepArbiter.Decision d = pick(3, "demo-old", downgrade);
    assertThat(d.type()).isEqualTo(OperationType.Downgrade);
    assertThat(d.step()).isEqualTo(new Step.EnableDowngrade("3.5"));
    assertThat(pick(4, "demo-old", downgrade).step()).isEqualTo(new Step.AddLearner(3));
  }

  @Test
  void restartsOfAVersionChangeAreReportedAsAnUpgrade() {
    StepArbiter.Decision d = pick(3, "demo-old", new StepArbiter.Roll(null, OperationType.Upgrade, java.util.Set.of()));
    assertThat(d.type()).isEqualTo(OperationType.Upgrade);
    assertThat(d.step()).isInstanceOf(Step.RestartMember.class);
  }

  /** A 4-member scale-out whose learner demo-3 has started and answers, as etcd and the caches show it. */
  StepArbiter.Decision pickWithLearner(String learnerAdded, Operation lastWrittenOperation) {
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName("demo").withNamespace("prod").withGeneration(1L).build());
    EtcdClusterStatus status = new EtcdClusterStatus();
    status.setOperation(lastWrittenOperation);
    cluster.setStatus(status);
    List<Pod> pods = IntStream.range(0, 4).mapToObj(i -> pod(i, "demo-new")).toList();
    ClusterObservation observation = FakeObserver.of(FakeObserver.member("demo", 0, 100, false, true, true),
        FakeObserver.member("demo", 1, 101, false, true, true), FakeObserver.member("demo", 2, 102, false, true, true),
        FakeObserver.member("demo", 3, 103, true, true, false));
    return arbiter.pick(new StepArbiter.Inputs(cluster, names, 4, statefulSet(4), pods, List.of(), observation,
        learnerAdded, StepArbiter.Roll.none(), new MaintenanceStatus(), QUOTA, List.of(), "8Gi", false), now);
  }

  @Test
  void theLearnersDeadlineCountsFromTheConfigMapNotFromALostStatusWrite() {
    // The status write that recorded this add was lost: status.operation is an older operation, long ago.
    Operation stale = new Operation("AddMember", "demo-2", now.minus(Duration.ofHours(2)).toString(), "promoted");
    StepArbiter.Decision young = pickWithLearner(LearnerClock.record("demo-3", now.minusSeconds(60)), stale);
    assertThat(young.step()).as("added a minute ago: not past the 5 minute deadline").isInstanceOf(Step.Wait.class);

    // And the other way round: a fresh status.operation does not restart the clock of an old learner.
    Operation fresh = new Operation("AddMember", "demo-3", now.toString(), "learner added; starting its pod");
    StepArbiter.Decision old = pickWithLearner(LearnerClock.record("demo-3", now.minus(Duration.ofMinutes(6))), fresh);
    assertThat(old.step()).isInstanceOfSatisfying(Step.RemoveMember.class,
        r -> assertThat(r.cause()).isEqualTo(Step.Cause.LEARNER_FAILED));
  }

  @Test
  void aClockNamingAnotherMemberIsNoClockForThisLearner() {
    StepArbiter.Decision d = pickWithLearner(LearnerClock.record("demo-4", now.minus(Duration.ofHours(1))), null);
    assertThat(d.step()).isInstanceOf(Step.Wait.class);
  }

  @Test
  void bookkeepingKeepsTheLearnersClockStartsOneAndDropsIt() {
    ClusterObservation withLearner = FakeObserver.of(FakeObserver.member("demo", 0, 100, false, true, true),
        FakeObserver.member("demo", 3, 103, true, false, false));
    String kept = LearnerClock.record("demo-3", now.minusSeconds(30));
    assertThat(MembershipBookkeeping.learnerRecord(names, withLearner, kept, now)).isEqualTo(kept);
    assertThat(MembershipBookkeeping.learnerRecord(names, withLearner, null, now))
        .isEqualTo(LearnerClock.record("demo-3", now));
    assertThat(MembershipBookkeeping.learnerRecord(names, FakeObserver.healthy("demo", 3, 1, 1), kept, now)).isNull();
  }

  @Test
  void noStepWhileTheMembersListsDisagree() {
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName("demo").withNamespace("prod").withGeneration(1L).build());
    ClusterObservation healthy = FakeObserver.healthy("demo", 3, 1000, 1_000_000);
    ClusterObservation disagreeing = new ClusterObservation(true, healthy.clusterId(), healthy.members(), null, false);
    List<Pod> pods = IntStream.range(0, 3).mapToObj(i -> pod(i, "demo-old")).toList();
    StepArbiter.Decision d = arbiter.pick(new StepArbiter.Inputs(cluster, names, 5, statefulSet(3), pods, List.of(),
        disagreeing, null, StepArbiter.Roll.none(), new MaintenanceStatus(), QUOTA, List.of(), "8Gi", false), now);
    assertThat(d.step()).isInstanceOfSatisfying(Step.Wait.class, w -> assertThat(w.reason()).contains("disagree"));
  }

  @Test
  void aLearnerThatCannotStartDoesNotHoldBackARollOfTheExistingMembers() {
    EtcdCluster cluster = new EtcdCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName("demo").withNamespace("prod").withGeneration(1L).build());
    List<Pod> pods = new java.util.ArrayList<>(IntStream.range(0, 3).mapToObj(i -> pod(i, "demo-old")).toList());
    pods.add(new PodBuilder().withNewMetadata().withName("demo-3").withCreationTimestamp(now.minusSeconds(20).toString())
        .withLabels(Map.of("controller-revision-hash", "demo-new")).endMetadata().withNewStatus()
        .addNewCondition().withType("PodScheduled").withStatus("False").withReason("Unschedulable")
        .withMessage("0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules")
        .withLastTransitionTime(now.minusSeconds(20).toString()).endCondition().endStatus().build());
    ClusterObservation observation = FakeObserver.of(FakeObserver.member("demo", 0, 100, false, true, true),
        FakeObserver.member("demo", 1, 101, false, true, true), FakeObserver.member("demo", 2, 102, false, true, true),
        FakeObserver.member("demo", 3, 103, true, false, false));
    StatefulSet four = statefulSet(4);
    StepArbiter.Decision d = arbiter.pick(new StepArbiter.Inputs(cluster, names, 4, four, pods, List.of(), observation,
        LearnerClock.record("demo-3", now.minusSeconds(20)), StepArbiter.Roll.none(), new MaintenanceStatus(), QUOTA,
        List.of(), "8Gi", false), now);
    assertThat(d.step()).as("the voters' roll goes on").isEqualTo(new Step.RestartMember("demo-2"));

    // With nothing else to do, the learner's wait is what is reported.
    List<Pod> current = pods.stream().map(p -> p.getMetadata().getName().equals("demo-3") ? p
        : pod(Integer.parseInt(p.getMetadata().getName().substring(5)), "demo-new")).toList();
    StepArbiter.Decision idle = arbiter.pick(new StepArbiter.Inputs(cluster, names, 4, four, current, List.of(),
        observation, LearnerClock.record("demo-3", now.minusSeconds(20)), StepArbiter.Roll.none(), new MaintenanceStatus(), QUOTA,
        List.of(), "8Gi", false), now);
    assertThat(idle.step()).isInstanceOfSatisfying(Step.Wait.class, w -> assertThat(w.reason()).contains("anti-affinity"));
  }

  @Test
  void aLeaderOnASlowDiskHandsLeadershipToTheFastFollowerFurthestAhead() {
    ClusterObservation o = FakeObserver.healthy("demo", 3, 1000, 1_000_000); // leader demo-0 (100), indexes 1000..1002
    assertThat(StepArbiter.leaderOffSlowDisk(o.withDiskLatency(Map.of(100L, 2.0, 101L, 3.0, 102L, 1.0)))).isEmpty();
    assertThat(StepArbiter.leaderOffSlowDisk(o.withDiskLatency(Map.of(100L, 512.0, 101L, 3.0, 102L, 1.0))))
        .hasValueSatisfying(s -> assertThat(s).isInstanceOfSatisfying(Step.MoveLeaderOffSlowDisk.class, m -> {
          assertThat(m.from()).isEqualTo("demo-0");
          assertThat(m.to()).isEqualTo("demo-2");
          assertThat(m.why()).contains("512 ms");
        }));
    assertThat(StepArbiter.leaderOffSlowDisk(o.withDiskLatency(Map.of(100L, 512.0, 101L, 3.0, 102L, 300.0))))
        .hasValueSatisfying(s -> assertThat(((Step.MoveLeaderOffSlowDisk) s).to()).isEqualTo("demo-1"));
    assertThat(StepArbiter.leaderOffSlowDisk(o.withDiskLatency(Map.of(100L, 512.0, 101L, 300.0, 102L, 300.0))))
        .as("every disk slow: nowhere better").isEmpty();
  }
}
