package io.etcdpilot.operator.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.api.v1alpha1.BootstrapSpec;
import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterSpec;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshotSpec;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshotStatus;
import io.etcdpilot.operator.api.v1alpha1.FromSnapshot;
import io.etcdpilot.operator.api.v1alpha1.S3Destination;
import io.etcdpilot.operator.api.v1alpha1.SnapshotDestination;
import io.etcdpilot.operator.api.v1alpha1.SnapshotEncryption;
import io.etcdpilot.operator.api.v1alpha1.SnapshotsSpec;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.model.RestoreSource;
import io.etcdpilot.operator.model.RestoreSteps;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RestorePlanTest {
  static S3Destination store(String bucket) {
    S3Destination d = new S3Destination();
    d.setRegion("us-east-1");
    d.setBucket(bucket);
    d.setCredentialsSecretName("s3");
    return d;
  }

  static EtcdCluster cluster(String name, String version, FromSnapshot from, S3Destination own, String key) {
    EtcdCluster c = new EtcdCluster();
    c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("prod").withUid("u-" + name).build());
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setReplicas(3);
    spec.setVersion(version);
    if (from != null) {
      BootstrapSpec b = new BootstrapSpec();
      b.setFromSnapshot(from);
      spec.setBootstrap(b);
    }
    if (own != null || key != null) {
      SnapshotsSpec s = new SnapshotsSpec();
      if (own != null) {
        SnapshotDestination d = new SnapshotDestination();
        d.setS3(own);
        s.setDestination(d);
      }
      if (key != null) {
        SnapshotEncryption e = new SnapshotEncryption();
        e.setKeySecretName(key);
        s.setEncryption(e);
      }
      spec.setSnapshots(s);
    }
    c.setSpec(spec);
    return c;
  }

  static FromSnapshot byName(String n) {
    FromSnapshot f = new FromSnapshot();
    f.setSnapshotName(n);
    return f;
  }

  static EtcdSnapshot snapshot(String name, String cluster, String phase, String location) {
    EtcdSnapshot s = new EtcdSnapshot();
    s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("prod").build());
    EtcdSnapshotSpec spec = new EtcdSnapshotSpec();
    spec.setClusterName(cluster);
    s.setSpec(spec);
    EtcdSnapshotStatus st = new EtcdSnapshotStatus();
    st.setPhase(phase);
    st.setLocation(location);
    s.setStatus(st);
    return s;
  }

  final EtcdCluster source = cluster("old", "3.5.35", null, store("backups"), "old-key");
  final EtcdSnapshot good = snapshot("nightly", "old", "Succeeded", "s3://backups/prod/old/nightly.db.zst.enc");

  RestorePlan.Decision decide(EtcdCluster c, ConfigMap state) {
    return RestorePlan.decide(c, state, n -> n.equals("nightly") ? Optional.of(good)
            : n.equals("running") ? Optional.of(snapshot("running", "old", "Running", null)) : Optional.empty(),
        n -> n.equals("old") ? Optional.of(source) : Optional.empty());
  }

  @Test
  void aSnapshotByNameIsFetchedFromItsClustersStoreWithItsKey() {
    RestorePlan.Decision d = decide(cluster("new", "3.6.16", byName("nightly"), null, null), null);
    assertThat(d.invalid()).isEmpty();
    assertThat(d.source().store().getBucket()).isEqualTo("backups");
    assertThat(d.source().manifestKey()).isEqualTo("prod/old/nightly.json");
    assertThat(d.source().keySecretName()).isEqualTo("old-key");
  }

  @Test
  void whatCannotCreateTheClusterNamesTheField() {
    assertThat(decide(cluster("new", "3.5.35", byName("missing"), null, null), null).invalid())
        .singleElement().satisfies(v -> assertThat(v.field()).isEqualTo("spec.bootstrap.fromSnapshot.snapshotName"));
    assertThat(decide(cluster("new", "3.5.35", byName("running"), null, null), null).invalid().get(0).message())
        .contains("is Running");
    assertThat(decide(cluster("new", "3.4.23", byName("nightly"), null, null), null).invalid().get(0).field())
        .isEqualTo("spec.version");
    FromSnapshot both = byName("nightly");
    both.setLocation("s3://backups/x.db");
    assertThat(decide(cluster("new", "3.5.35", both, null, null), null).invalid().get(0).message())
        .contains("exactly one");
    FromSnapshot bad = new FromSnapshot();
    bad.setLocation("backups/x");
    assertThat(decide(cluster("new", "3.5.35", bad, store("b"), null), null).invalid().get(0).field())
        .isEqualTo("spec.bootstrap.fromSnapshot.location");
    FromSnapshot elsewhere = new FromSnapshot();
    elsewhere.setLocation("s3://other/team/x.db.gz");
    assertThat(decide(cluster("new", "3.5.35", elsewhere, store("mine"), null), null).invalid().get(0).field())
        .as("by location, the cluster it was taken of must be named").isEqualTo("spec.bootstrap.fromSnapshot.sourceCluster");
    elsewhere.setSourceCluster("team/src");
    assertThat(decide(cluster("new", "3.5.35", elsewhere, null, null), null).invalid().get(0).field())
        .isEqualTo("spec.bootstrap.fromSnapshot.destination");
    RestorePlan.Decision byLocation = decide(cluster("new", "3.5.35", elsewhere, store("mine"), null), null);
    assertThat(byLocation.source().store().getBucket()).isEqualTo("other");
    assertThat(byLocation.source().manifestKey()).isEqualTo("team/x.json");
    assertThat(byLocation.source().expected()).satisfies(e -> {
      assertThat(e.namespace()).isEqualTo("team");
      assertThat(e.cluster()).isEqualTo("src");
      assertThat(e.object()).isEqualTo("team/x.db.gz");
    });
  }

  @Test
  void onceCreatedTheRecordedSourceIsRenderedAndASpecChangeIsRefused() {
    EtcdCluster created = cluster("new", "3.5.35", byName("nightly"), null, null);
    RestorePlan.Decision first = decide(created, null);
    ClusterObjects objects = new ClusterObjects(created, "cluster.local").restoring(first.source(), first.recordedSpec(),
        "registry/etcdpilot-operator:1");
    ConfigMap state = objects.stateConfigMap(ClusterObjects.STATE_EXISTING, "", null);
    assertThat(state.getData()).containsEntry(ClusterObjects.RESTORE_MODE_KEY, "none")
        .containsEntry(ClusterObjects.RESTORE_SNAPSHOT_KEY, "--help");
    assertThat(objects.stateConfigMap(ClusterObjects.STATE_NEW, "x", null).getData())
        .containsEntry(ClusterObjects.RESTORE_MODE_KEY, "snapshot")
        .containsEntry(ClusterObjects.RESTORE_SNAPSHOT_KEY, RestoreSteps.SNAPSHOT_FILE);

    RestorePlan.Decision same = decide(created, state);
    assertThat(same.source()).isEqualTo(first.source());
    assertThat(same.refused()).isEmpty();
    // The snapshot pruned since: the recorded source is still what the cluster was made from.
    assertThat(RestorePlan.decide(created, state, n -> Optional.empty(), n -> Optional.empty()).source())
        .isEqualTo(first.source());
    EtcdCluster changed = cluster("new", "3.5.35", byName("other"), null, null);
    RestorePlan.Decision refused = decide(changed, state);
    assertThat(refused.source()).isEqualTo(first.source());
    assertThat(refused.refused()).singleElement().satisfies(v -> {
      assertThat(v.field()).isEqualTo("spec.bootstrap.fromSnapshot");
      assertThat(v.message()).contains("only when the cluster is created").contains("s3://backups/prod/old/nightly.json");
    });
    ConfigMap empty = new ClusterObjects(cluster("plain", "3.5.35", null, null, null), "cluster.local")
        .stateConfigMap(ClusterObjects.STATE_EXISTING, "", null);
    RestorePlan.Decision late = decide(cluster("plain", "3.5.35", byName("nightly"), null, null), empty);
    assertThat(late.source()).isNull();
    assertThat(late.refused().get(0).message()).contains("created empty");
  }

  @Test
  void membersRestoreInThreeStepsAroundEtcdutl() {
    RestorePlan.Decision d = decide(cluster("new", "3.6.16", byName("nightly"), null, null), null);
    StatefulSet sts = new ClusterObjects(cluster("new", "3.6.16", byName("nightly"), null, null), "cluster.local")
        .restoring(d.source(), d.recordedSpec(), "registry/etcdpilot-operator:1").statefulSet();
    var inits = sts.getSpec().getTemplate().getSpec().getInitContainers();
    assertThat(inits).extracting(c -> c.getName()).containsExactly("restore-fetch", "restore-db", "restore-finish");
    assertThat(inits.get(0).getImage()).isEqualTo("registry/etcdpilot-operator:1");
    assertThat(inits.get(0).getCommand()).containsSubsequence("java", "-cp", RestoreSteps.AGENT_JAR,
        RestoreAgent.class.getName(), "fetch");
    assertThat(inits.get(0).getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("RESTORE_KEYSET");
      assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("old-key");
      assertThat(e.getValueFrom().getSecretKeyRef().getOptional()).isTrue();
    });
    assertThat(inits.get(1).getImage()).endsWith(":v3.6.16");
    assertThat(inits.get(1).getArgs()).contains("snapshot", "restore", "$(RESTORE_SNAPSHOT)",
        "--bump-revision=1000000000", "--mark-compacted", "--data-dir=" + RestoreSteps.RESTORED_DIR);
    assertThat(new ClusterObjects(cluster("plain", "3.6.16", null, null, null), "cluster.local").statefulSet()
        .getSpec().getTemplate().getSpec().getInitContainers()).isNullOrEmpty();
  }

  @Test
  void theStoreRecordedWhenTheSnapshotRanIsUsedWithItsPrivateCa() {
    S3Destination recorded = store("backups");
    recorded.setEndpoint("https://store.internal:9000");
    recorded.setCaSecretName("store-ca");
    good.getStatus().setStoredIn(recorded);
    RestorePlan.Decision d = decide(cluster("new", "3.6.16", byName("nightly"), null, null), null);
    assertThat(d.source().store().getEndpoint()).isEqualTo("https://store.internal:9000");
    var fetch = new ClusterObjects(cluster("new", "3.6.16", byName("nightly"), null, null), "cluster.local")
        .restoring(d.source(), d.recordedSpec(), "registry/etcdpilot-operator:1").statefulSet()
        .getSpec().getTemplate().getSpec().getInitContainers().get(0);
    assertThat(fetch.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo(RestoreSteps.ENV_CA);
      assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("store-ca");
      assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("ca.crt");
    });
  }

  @Test
  void theAgentMovesRestoredDataInOnlyWhenTheMemberHasNone(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root)
      throws Exception {
    var work = root.resolve("var/lib/etcd/restore");
    var data = root.resolve("var/lib/etcd/data");
    java.nio.file.Files.createDirectories(work.resolve("data/member/snap"));
    java.nio.file.Files.writeString(work.resolve("data/member/snap/db"), "restored");
    assertThat(RestoreAgent.run("finish", Map.of(RestoreSteps.ENV_MODE, "snapshot"), root)).isZero();
    assertThat(java.nio.file.Files.readString(data.resolve("member/snap/db"))).isEqualTo("restored");
    assertThat(work).doesNotExist();
    // A member with data keeps it; leftovers are removed.
    java.nio.file.Files.createDirectories(work.resolve("data/member/snap"));
    java.nio.file.Files.writeString(work.resolve("data/member/snap/db"), "other");
    assertThat(RestoreAgent.run("finish", Map.of(RestoreSteps.ENV_MODE, "snapshot"), root)).isZero();
    assertThat(java.nio.file.Files.readString(data.resolve("member/snap/db"))).isEqualTo("restored");
    assertThat(work).doesNotExist();
    // Not restoring: fetch does nothing but clean up.
    java.nio.file.Files.createDirectories(work);
    assertThat(RestoreAgent.run("fetch", Map.of(RestoreSteps.ENV_MODE, "none"), root)).isZero();
    assertThat(work).doesNotExist();
  }

  @Test
  void theRestoreStepsRunTheAgentClassItself() {
    assertThat(RestoreSteps.AGENT_MAIN).isEqualTo(RestoreAgent.class.getName());
  }
}
