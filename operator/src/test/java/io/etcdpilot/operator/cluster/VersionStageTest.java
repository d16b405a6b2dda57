package io.etcdpilot.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterStatus;
import io.etcdpilot.operator.api.v1alpha1.MemberStatus;
import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.ObservedMember;
import io.etcdpilot.operator.etcd.EtcdConnection;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.model.EtcdVersion;
import io.etcdpilot.operator.model.SpecViolation;
import io.etcdpilot.operator.pki.TlsSettings;
import io.etcdpilot.operator.restore.RestorePlan;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The version gate as a stage: what members are rendered with, and a refused spec.version left out. */
class VersionStageTest {
  final VersionStage versions = new VersionStage(new FakeObserver(), OperatorSettings.defaults());

  static Rendering.Desired desired(EtcdCluster cluster, EtcdCluster live) {
    return new Rendering.Desired(StageFixtures.state(cluster, live), new ClusterObjects(cluster, "cluster.local"),
        new RestorePlan.Decision(null, null, List.of(), List.of()), TlsSettings.of(cluster.getSpec().getTls()),
        Optional.empty(), List.of(), io.etcdpilot.operator.volumes.VolumeSizing.plan("8Gi", null, List.of(), false));
  }

  static Observation runningEverywhere() {
    return new Observation(FakeObserver.healthy("demo", 3, 1000, 1_000_000), Optional.of(EtcdConnection.plain("prod/demo")),
        List.of(), true);
  }

  @Test
  void aSkippedMinorIsRefusedAndMembersKeepTheirVersion() {
    EtcdCluster live = StageFixtures.cluster(s -> { });
    EtcdCluster wanted = StageFixtures.cluster(s -> s.setVersion("3.7.3"));

    Versioned v = versions.gate(desired(wanted, live), runningEverywhere());

    assertThat(v.refused()).extracting(SpecViolation::field).containsExactly("spec.version");
    assertThat(v.refused().get(0).message()).contains("3.5").contains("3.7");
    assertThat(v.objects().version()).isEqualTo(EtcdVersion.parse("3.5.16"));
    assertThat(v.objects().statefulSet().getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .endsWith(":v3.5.16");
    assertThat(v.versionChanges()).isFalse();
  }

  @Test
  void aPatchStepIsRenderedAtOnce() {
    EtcdCluster live = StageFixtures.cluster(s -> { });
    EtcdCluster wanted = StageFixtures.cluster(s -> s.setVersion("3.5.17"));

    Versioned v = versions.gate(desired(wanted, live), runningEverywhere());

    assertThat(v.refused()).isEmpty();
    assertThat(v.objects().version()).isEqualTo(EtcdVersion.parse("3.5.17"));
    assertThat(v.renderedBefore()).isEqualTo(EtcdVersion.parse("3.5.16"));
    assertThat(v.versionChanges()).isTrue();
  }

  @Test
  void aMemberDownNowCountsWithTheVersionTheLastStatusKept() {
    EtcdCluster live = StageFixtures.cluster(s -> s.setVersion("3.6.16"));
    EtcdCluster wanted = StageFixtures.cluster(s -> s.setVersion("3.7.3"));
    EtcdClusterStatus last = new EtcdClusterStatus();
    last.setMembers(List.of(new MemberStatus("demo-2", Long.toHexString(102), MemberStatus.Role.follower, false,
        "3.5.35", null)));
    wanted.setStatus(last);
    ClusterObservation seen = FakeObserver.of(
        new ObservedMember(100, "demo-0", List.of("https://demo-0.demo-peer:2380"), List.of("https://demo-0.demo-peer:2379"),
            false, true, "3.6.16", 1, 1, 2, 100, null),
        new ObservedMember(101, "demo-1", List.of("https://demo-1.demo-peer:2380"), List.of("https://demo-1.demo-peer:2379"),
            false, true, "3.6.16", 1, 1, 2, 100, null),
        FakeObserver.member("demo", 2, 102, false, true, false));

    Versioned v = versions.gate(desired(wanted, live), new Observation(seen, Optional.empty(), List.of(), true));

    assertThat(v.refused()).singleElement().satisfies(r -> assertThat(r.message()).contains("from 3.5.35"));
    assertThat(v.objects().version()).isEqualTo(EtcdVersion.parse("3.6.16"));
  }
}
