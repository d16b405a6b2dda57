package io.etcdpilot.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.etcd.EtcdConnection;
import io.etcdpilot.operator.kube.PassEvents;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Observe → apply on a paused cluster: the live objects as read, nothing written, no step taken. */
class ApplyStageTest {
  @Test
  void aPausedClusterIsObservedButNeitherAppliedNorActedOn() throws Exception {
    EtcdCluster live = StageFixtures.cluster(s -> { });
    EtcdCluster paused = StageFixtures.cluster(s -> {
      s.setPaused(true);
      s.setReplicas(5); // a change that would resize and add members if the cluster were not paused
    });
    FakeObserver etcd = new FakeObserver();
    etcd.next.set(FakeObserver.healthy("demo", 3, 1000, 1_000_000));
    Rendering.Desired desired = VersionStageTest.desired(paused, live);

    Observation seen = new ObserveStage(etcd).observe(desired);
    Versioned versioned = new VersionStage(etcd, OperatorSettings.defaults()).gate(desired, seen);
    PassEvents events = new PassEvents();
    // No client and no cache: any write would fail the test with a NullPointerException.
    Applied applied = new ApplyStage(null, null).apply(versioned, seen, null, events);
    StepResult result = new ActStage(null, null, null, null, null, null, null).planAndAct(applied, seen, null, events,
        Instant.parse("2026-12-06T10:00:00Z"));

    assertThat(seen.etcd().reachable()).as("a paused cluster is still observed").isTrue();
    assertThat(etcd.lastUrls()).hasSize(3);
    assertThat(applied).isInstanceOf(Applied.Untouched.class);
    assertThat(applied.statefulSet()).isSameAs(desired.state().statefulSet());
    assertThat(applied.statefulSet().getSpec().getReplicas()).isEqualTo(3);
    assertThat(result.taken()).isEmpty();
    assertThat(result.operation()).isNull();
    assertThat(result.snapshots()).as("the schedule does not run either").isEmpty();
    assertThat(events.entries()).isEmpty();
    assertThat(etcd.membershipCalls).isEmpty();
  }

  @Test
  void observingUsesTheConnectionOfThisPass() {
    EtcdCluster cluster = StageFixtures.cluster(s -> { });
    FakeObserver etcd = new FakeObserver();
    Observation seen = new ObserveStage(etcd).observe(VersionStageTest.desired(cluster, cluster));
    assertThat(seen.connection()).map(EtcdConnection::clusterKey).contains("prod/demo");
    assertThat(seen.etcd().reachable()).isFalse();
    assertThat(seen.bootstrapped()).as("the ConfigMap says existing").isTrue();
    assertThat(seen.clientUrls()).isEqualTo(List.of("http://demo-0.demo-peer.prod.svc.cluster.local:2379",
        "http://demo-1.demo-peer.prod.svc.cluster.local:2379", "http://demo-2.demo-peer.prod.svc.cluster.local:2379"));
  }

  @Test
  void etcdBefore35IsAskedForEveryMembersListAndTheyMustAgree() {
    EtcdCluster old = StageFixtures.cluster(s -> s.setVersion("3.4.23"));
    FakeObserver etcd = new FakeObserver();
    new ObserveStage(etcd).observe(VersionStageTest.desired(old, old));
    assertThat(etcd.lastListMode).isEqualTo(io.etcdpilot.operator.etcd.EtcdObserver.MemberList.MAJORITY_AGREEING);
    EtcdCluster current = StageFixtures.cluster(s -> { });
    new ObserveStage(etcd).observe(VersionStageTest.desired(current, current));
    assertThat(etcd.lastListMode).isEqualTo(io.etcdpilot.operator.etcd.EtcdObserver.MemberList.LINEARIZABLE);
  }

  /** An applier whose StatefulSet writes the API server refuses (an admission policy), every other object as it is. */
  static final class RefusingApplier extends ObjectApplier {
    RefusingApplier() {
      super(null);
    }

    @Override
    <T extends io.fabric8.kubernetes.api.model.HasMetadata> Applied<T> apply(T wanted, T live, KubeCache cache) {
      if (wanted instanceof io.fabric8.kubernetes.api.model.apps.StatefulSet) {
        io.fabric8.kubernetes.api.model.Status status = new io.fabric8.kubernetes.api.model.StatusBuilder()
            .withCode(422).withMessage("StatefulSet.apps \"demo\" is invalid: spec.template.metadata.labels: denied by"
                + " policy no-forbidden-team").withNewDetails().addNewCause().withField("spec.template.metadata.labels")
            .endCause().endDetails().build();
        throw new io.fabric8.kubernetes.client.KubernetesClientException(status);
      }
      return new Applied<>(Outcome.UNCHANGED, live, List.of());
    }
  }

  @Test
  void aRefusedWriteIsReportedAndThePassGoesOnWithTheLiveObject() {
    EtcdCluster cluster = StageFixtures.cluster(s -> { });
    Rendering.Desired desired = VersionStageTest.desired(cluster, cluster);
    Observation seen = new Observation(io.etcdpilot.operator.etcd.ClusterObservation.unreachable("starting"),
        java.util.Optional.empty(), List.of(), true);
    Versioned versioned = new VersionStage(new FakeObserver(), OperatorSettings.defaults()).gate(desired, seen);
    PassEvents events = new PassEvents();

    Applied applied = new ApplyStage(null, new RefusingApplier()).apply(versioned, seen, null, events);

    assertThat(applied).isInstanceOfSatisfying(Applied.Written.class, w -> {
      assertThat(w.writesRefused()).isTrue();
      assertThat(w.statefulSet()).as("the live object").isSameAs(desired.state().statefulSet());
      assertThat(w.desiredStatefulSet()).as("resizes start from the live object").isSameAs(desired.state().statefulSet());
    });
    assertThat(applied.refused()).singleElement().satisfies(r -> {
      assertThat(r.field()).isEqualTo("StatefulSet demo");
      assertThat(r.message()).contains("HTTP 422 (spec.template.metadata.labels)").contains("no-forbidden-team");
    });
    assertThat(events.reasons()).contains("ApplyRefused");

    // And it is tried again within 30 s, although the cluster is otherwise steady.
    Report.Wakeups wakeups = new Report.Wakeups(false, false, java.util.Optional.empty(), java.util.Optional.empty(),
        java.util.Optional.empty(), applied.writesRefused());
    assertThat(Requeue.next(wakeups, null, Instant.now(), java.time.Duration.ofSeconds(60),
        java.time.Duration.ofSeconds(5)).delay()).isEqualTo(Requeue.REFUSED_RETRY);
  }
}
