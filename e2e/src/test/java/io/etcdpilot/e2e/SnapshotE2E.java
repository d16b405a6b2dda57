package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshotSpec;
import io.etcdpilot.operator.api.v1alpha1.S3Destination;
import io.etcdpilot.operator.api.v1alpha1.SnapshotDestination;
import io.etcdpilot.operator.api.v1alpha1.SnapshotEncryption;
import io.etcdpilot.operator.api.v1alpha1.SnapshotRetention;
import io.etcdpilot.operator.api.v1alpha1.SnapshotsSpec;
import io.etcdpilot.operator.pki.CertificateManager;
import io.etcdpilot.operator.snapshot.ObjectStore;
import io.etcdpilot.operator.snapshot.SnapshotManifest;
import io.etcdpilot.operator.snapshot.SnapshotReader;
import io.etcdpilot.operator.snapshot.SnapshotScheduling;
import io.etcdpilot.operator.status.Conditions;
import io.etcdpilot.sandbox.storage.ObjectStoreServer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots into the sandbox's S3-compatible store (s3proxy, authentication on), under verified writes. */
@ExtendWith(TargetExtension.class)
class SnapshotE2E {
  static final String KEY_SECRET = "etcd-snapshot-key";

  @Test
  void onDemandAndScheduledSnapshotsAreStoredVerifiedAndPruned(TargetCluster target, @TempDir Path tmp)
      throws Exception {
    ObjectStoreServer store = store(target);
    String ns = "snapshots";
    Scenario.namespace(target, ns);
    store.secret(target.client(), ns);
    S3Destination destination = store.destination();
    Scenario.readyCluster(target, ns, "etcd", 3, s -> {
      SnapshotsSpec snapshots = new SnapshotsSpec();
      snapshots.setSchedule("* * * * *");
      SnapshotRetention retention = new SnapshotRetention();
      retention.setKeep(1);
      snapshots.setRetention(retention);
      SnapshotEncryption encryption = new SnapshotEncryption();
      encryption.setKeySecretName(KEY_SECRET);
      snapshots.setEncryption(encryption);
      snapshots.setDestination(destinationOf(destination));
      s.setSnapshots(snapshots);
    });
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    Map<String, Long> members = ClusterChecks.members(urls, creds);

    try (WriteLoad load = new WriteLoad(urls, creds, "/snap/")) {
      load.awaitMore(100, Duration.ofSeconds(30));
      target.client().resource(snapshot(ns, "manual", "etcd")).create();
      EtcdSnapshot manual = awaitPhase(target, ns, "manual", "Succeeded", Duration.ofMinutes(1));
      var st = manual.getStatus();
      assertThat(st.getRevision()).isPositive();
      assertThat(st.getSize()).isPositive();
      assertThat(st.getDbSize()).isPositive();
      assertThat(st.getSha256()).matches("[0-9a-f]{64}");
      assertThat(st.getMember()).startsWith("etcd-");
      assertThat(st.getEtcdVersion()).isEqualTo(target.etcdVersion());
      // Under the namespace, the cluster and its uid, the record and its uid: no other cluster or record shares it.
      String clusterUid = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get()
          .getMetadata().getUid();
      String manualKey = ObjectStoreServer.PREFIX + "/" + ns + "/etcd/" + clusterUid + "/manual-" + manual.getMetadata().getUid();
      assertThat(st.getLocation()).isEqualTo("s3://" + ObjectStoreServer.BUCKET + "/" + manualKey + ".db.zst.enc");
      assertThat(st.getEncryptionKeyId()).isNotNull();
      assertThat(st.getTls()).isTrue();
      assertThat(Conditions.isTrue(st.getConditions(), Conditions.READY)).isTrue();
      assertThat(store.file(manualKey + ".db.zst.enc")).exists();
      assertThat(store.file(manualKey + ".json")).exists();
      assertThat(target.client().secrets().inNamespace(ns).withName(KEY_SECRET).get()).as("key created").isNotNull();

      // The schedule: one snapshot a minute, retention keeps the newest one (the on-demand one is never pruned).
      Map<String, String> succeeded = new java.util.concurrent.ConcurrentHashMap<>(); // name → the object's key
      await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        List<EtcdSnapshot> scheduled = target.client().resources(EtcdSnapshot.class).inNamespace(ns)
            .withLabel(EtcdSnapshot.SCHEDULED_LABEL, "true").list().getItems();
        scheduled.stream().filter(s -> s.getStatus() != null && "Succeeded".equals(s.getStatus().getPhase()))
            .forEach(s -> succeeded.put(s.getMetadata().getName(), ns + "/etcd/" + ns + "/etcd/" + clusterUid + "/"
                + s.getMetadata().getName() + "-" + s.getMetadata().getUid()));
        assertThat(succeeded).as("scheduled snapshots that succeeded").hasSizeGreaterThanOrEqualTo(2);
        List<String> pruned = succeeded.keySet().stream().filter(n -> scheduled.stream()
            .noneMatch(s -> s.getMetadata().getName().equals(n))).toList();
        assertThat(pruned).as("pruned by retention").isNotEmpty();
        for (String n : pruned) {
          assertThat(store.file(succeeded.get(n) + ".db.zst.enc")).as("object of pruned " + n).doesNotExist();
          assertThat(store.file(succeeded.get(n) + ".json")).doesNotExist();
        }
        assertThat(scheduled.stream().filter(s -> s.getStatus() != null && "Succeeded".equals(s.getStatus().getPhase())))
            .hasSize(1);
      });
      assertThat(target.client().resources(EtcdSnapshot.class).inNamespace(ns).withName("manual").get()).isNotNull();
      EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
      assertThat(ec.getStatus().getLastSnapshot()).isNotNull();
      assertThat(ec.getStatus().getNextSnapshotTime()).isNotNull();
      assertThat(Conditions.isTrue(ClusterChecks.conditions(ec), SnapshotScheduling.CONDITION)).isTrue();
      load.awaitMore(100, Duration.ofSeconds(30));
      WriteLoad.Report report = load.stopAndVerify();
      assertThat(report.missing()).as("acknowledged writes lost").isEmpty();
    }
    assertThat(ClusterChecks.members(urls, creds)).as("the cluster never noticed").isEqualTo(members);

    // The bucket alone restores it: manifest, key, object → the database etcd's own tool reads.
    EtcdSnapshot manual = target.client().resources(EtcdSnapshot.class).inNamespace(ns).withName("manual").get();
    String manualKey = objectBase(manual);
    String keyset = CertificateManager.decode(target.client().secrets().inNamespace(ns).withName(KEY_SECRET).get())
        .get(io.etcdpilot.operator.snapshot.SnapshotEncryption.KEYSET_KEY);
    try (var s3 = ObjectStore.client(destination, new ObjectStore.Credentials(store.accessKey(), store.secretKey(), null),
        null)) {
      SnapshotManifest manifest = SnapshotReader.manifest(s3, ObjectStoreServer.BUCKET, manualKey + ".json");
      assertThat(manifest.revision()).isEqualTo(manual.getStatus().getRevision());
      Path db = tmp.resolve("manual.db");
      try (OutputStream o = Files.newOutputStream(db)) {
        SnapshotReader.read(s3, ObjectStoreServer.BUCKET, manifest,
            io.etcdpilot.operator.snapshot.SnapshotEncryption.of(keyset), o);
      }
      Process p = new ProcessBuilder("/usr/bin/etcdctl", "snapshot", "status", db.toString(), "-w", "json")
          .redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as(out).isZero();
      long revision = new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(out.lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow()).get("revision").asLong();
      assertThat(revision).as("revision etcd reads from the restored file").isGreaterThanOrEqualTo(manifest.revision());
    }

    // Deleting a record keeps its backup, unless the record asked for the objects to go with it.
    var snapshots = target.client().resources(EtcdSnapshot.class).inNamespace(ns);
    snapshots.withName("manual").delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> snapshots.withName("manual").get() == null);
    assertThat(store.file(manualKey + ".db.zst.enc")).as("a deleted record's backup").exists();
    EtcdSnapshot doomed = snapshot(ns, "doomed", "etcd");
    doomed.getSpec().setDeleteObjectsOnDelete(true);
    target.client().resource(doomed).create();
    EtcdSnapshot stored = awaitPhase(target, ns, "doomed", "Succeeded", Duration.ofMinutes(1));
    assertThat(stored.getMetadata().getFinalizers()).contains(io.etcdpilot.operator.snapshot.EtcdSnapshotReconciler.FINALIZER);
    assertThat(stored.getStatus().getStoredIn().getBucket()).isEqualTo(ObjectStoreServer.BUCKET);
    String doomedKey = stored.getStatus().getLocation().substring(("s3://" + ObjectStoreServer.BUCKET + "/").length());
    assertThat(doomedKey).endsWith("/doomed-" + stored.getMetadata().getUid() + ".db.zst.enc");
    assertThat(store.file(doomedKey)).exists();
    snapshots.withName("doomed").delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> snapshots.withName("doomed").get() == null);
    assertThat(store.file(doomedKey)).as("objects of a record that asked").doesNotExist();
    assertThat(store.file(doomedKey.replace(".db.zst.enc", ".json"))).doesNotExist();
  }

  @Test
  void badDestinationsFailTheSnapshotWithAClearMessageAndLeaveTheClusterAlone(TargetCluster target) throws Exception {
    ObjectStoreServer store = store(target);
    String ns = "snapshots-bad";
    // Snapshots of this cluster may name their own destination (an opt-in of the cluster's).
    Scenario.readyCluster(target, ns, "etcd", 1, s -> {
      SnapshotsSpec snapshots = new SnapshotsSpec();
      snapshots.setAllowDestinationOverride(true);
      s.setSnapshots(snapshots);
    });
    Map<String, Long> members = ClusterChecks.members(target.clientUrls(ns, "etcd"), target.credentials(ns, "etcd"));

    target.client().resource(snapshot(ns, "nowhere", "etcd")).create();
    assertThat(awaitPhase(target, ns, "nowhere", "Failed", Duration.ofMinutes(1)).getStatus().getMessage())
        .contains("spec.destination");

    target.client().resource(new SecretBuilder().withNewMetadata().withName("wrong").withNamespace(ns)
        .addToLabels(io.etcdpilot.operator.snapshot.SnapshotTaker.CREDENTIALS_LABEL, "true").endMetadata()
        .addToStringData("accessKeyID", store.accessKey()).addToStringData("secretAccessKey", "not-the-key").build())
        .create();
    S3Destination wrong = store.destination();
    wrong.setCredentialsSecretName("wrong");
    EtcdSnapshot s = snapshot(ns, "wrong-key", "etcd");
    s.getSpec().setDestination(destinationOf(wrong));
    target.client().resource(s).create();
    EtcdSnapshot failed = awaitPhase(target, ns, "wrong-key", "Failed", Duration.ofMinutes(1));
    assertThat(failed.getStatus().getMessage()).contains("refused");
    assertThat(Conditions.isTrue(failed.getStatus().getConditions(), Conditions.STALLED)).isTrue();
    assertThat(storedUnder(store, ns)).as("nothing stored").noneMatch(f -> f.contains("wrong-key-"));

    S3Destination noBucket = store.destination();
    noBucket.setBucket("no-such-bucket");
    store.secret(target.client(), ns);
    EtcdSnapshot b = snapshot(ns, "no-bucket", "etcd");
    b.getSpec().setDestination(destinationOf(noBucket));
    target.client().resource(b).create();
    assertThat(awaitPhase(target, ns, "no-bucket", "Failed", Duration.ofMinutes(1)).getStatus().getMessage())
        .contains("bucket");
    assertThat(target.client().v1().events().inNamespace(ns).list().getItems())
        .anyMatch(e -> "SnapshotFailed".equals(e.getReason()));

    // The store down: the snapshot fails and says so; once it is back the next one succeeds.
    S3Destination good = store.destination();
    store.pause();
    try {
      EtcdSnapshot down = snapshot(ns, "store-down", "etcd");
      down.getSpec().setDestination(destinationOf(good));
      target.client().resource(down).create();
      assertThat(awaitPhase(target, ns, "store-down", "Failed", Duration.ofMinutes(2)).getStatus().getMessage())
          .contains("refused");
    } finally {
      store.resume();
    }
    EtcdSnapshot back = snapshot(ns, "store-back", "etcd");
    back.getSpec().setDestination(destinationOf(good));
    target.client().resource(back).create();
    awaitPhase(target, ns, "store-back", "Succeeded", Duration.ofMinutes(1));
    ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofSeconds(30));
    assertThat(ClusterChecks.members(target.clientUrls(ns, "etcd"), target.credentials(ns, "etcd"))).isEqualTo(members);
  }

  @Test
  void aNewClusterRestoresASnapshotAndRefusesACorruptedOne(TargetCluster target) throws Exception {
    String ns = "restore";
    ObjectStoreServer store = readyClusterWithStore(target, ns, "src", 1, true, null);
    List<String> srcUrls = target.clientUrls(ns, "src");
    ClientCredentials srcCreds = target.credentials(ns, "src");
    put(srcUrls, srcCreds, "/before/", 200);
    target.client().resource(snapshot(ns, "src-snap", "src")).create();
    long revision = awaitPhase(target, ns, "src-snap", "Succeeded", Duration.ofMinutes(1)).getStatus().getRevision();
    put(srcUrls, srcCreds, "/after/", 50);
    target.client().resource(snapshot(ns, "src-snap-2", "src")).create();
    EtcdSnapshot second = awaitPhase(target, ns, "src-snap-2", "Succeeded", Duration.ofMinutes(1));

    // A new 3-member cluster from the first snapshot: the store and key come from the snapshot's cluster.
    Scenario.cluster(target, ns, "restored", 3, s -> s.setBootstrap(fromSnapshot("src-snap")));
    ClusterChecks.awaitReady(target, ns, "restored", Duration.ofMinutes(4));
    List<String> urls = target.clientUrls(ns, "restored");
    ClientCredentials creds = target.credentials(ns, "restored");
    try (var c = ClientCredentials.jetcd(urls, creds)) {
      var kv = c.getKVClient();
      var before = kv.get(WriteLoad.bytes("/before/"), io.etcd.jetcd.options.GetOption.builder().isPrefix(true).build())
          .get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(before.getCount()).as("keys written before the snapshot").isEqualTo(200);
      assertThat(before.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8)).startsWith("v");
      var after = kv.get(WriteLoad.bytes("/after/"), io.etcd.jetcd.options.GetOption.builder().isPrefix(true)
          .withCountOnly(true).build()).get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(after.getCount()).as("keys written after the snapshot").isZero();
      assertThat(before.getHeader().getRevision()).as("revisions bumped past the old cluster's")
          .isGreaterThan(revision + io.etcdpilot.operator.model.RestoreSteps.REVISION_BUMP - 1);
      kv.put(WriteLoad.bytes("/restored/ok"), WriteLoad.bytes("yes")).get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    ClusterChecks.assertHashKvEqual(urls, creds);
    assertThat(target.client().resources(EtcdCluster.class).inNamespace(ns).withName("restored").get().getStatus()
        .getMembers()).hasSize(3);

    // The second snapshot's stored object corrupted: its cluster never forms, and says why.
    Path object = store.file(second.getStatus().getLocation().substring(("s3://" + ObjectStoreServer.BUCKET + "/").length()));
    byte[] raw = Files.readAllBytes(object);
    raw[raw.length / 2] ^= 0x01;
    Files.write(object, raw);
    Scenario.cluster(target, ns, "bad", 3, s -> s.setBootstrap(fromSnapshot("src-snap-2")));
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("bad").get();
      var stalled = ClusterChecks.condition(ec, Conditions.STALLED);
      assertThat(stalled.getStatus()).isEqualTo("True");
      assertThat(stalled.getReason()).isEqualTo("RestoreFailed");
      assertThat(stalled.getMessage()).contains("restore-fetch").contains("no member starts from it");
    });
    assertThat(target.client().pods().inNamespace(ns).withLabel("etcdpilot.io/cluster", "bad").list().getItems())
        .isNotEmpty().allSatisfy(p -> assertThat(p.getStatus().getContainerStatuses()).allSatisfy(cs ->
            assertThat(cs.getState().getRunning()).as("etcd of " + p.getMetadata().getName()).isNull()));
  }

  @Test
  void restoreDrillsPassOnAWholeSnapshotAndFailOnACorruptedOne(TargetCluster target) throws Exception {
    String ns = "drills";
    ObjectStoreServer store = readyClusterWithStore(target, ns, "etcd", 1, true, "* * * * *");
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    put(urls, creds, "/drilled/", 150);
    target.client().resource(snapshot(ns, "etcd-drilled", "etcd")).create();
    EtcdSnapshot taken = awaitPhase(target, ns, "etcd-drilled", "Succeeded", Duration.ofMinutes(1));

    // The next drill restores it into a scratch pod and finds etcd's revision, key count and hash as recorded.
    await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
      EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
      var verified = ClusterChecks.condition(ec, "BackupVerified");
      assertThat(verified.getStatus()).as(verified.getMessage()).isEqualTo("True");
      assertThat(verified.getReason()).isEqualTo("DrillPassed");
      assertThat(ec.getStatus().getBackup().getLastPassedSnapshot()).isEqualTo("etcd-drilled");
    });
    EtcdCluster passed = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
    System.out.println("drill: " + passed.getStatus().getBackup().getDrillMessage());
    assertThat(passed.getStatus().getBackup().getDrillMessage()).contains("150 keys", "KV hash");
    assertThat(KubernetesRefusalsE2E.reasons(target, ns)).contains("DrillStarted", "DrillPassed");
    await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(target.client().pods().inNamespace(ns)
        .withLabel("app.kubernetes.io/component", "backup-drill").list().getItems()).as("the drill's pod goes").isEmpty());

    // The stored object corrupted: the next drill fails, says why, and the cluster itself is not touched.
    String member = target.client().pods().inNamespace(ns).withName("etcd-0").get().getMetadata().getUid();
    Path object = store.file(taken.getStatus().getLocation().substring(("s3://" + ObjectStoreServer.BUCKET + "/").length()));
    byte[] raw = Files.readAllBytes(object);
    raw[raw.length / 2] ^= 0x01;
    Files.write(object, raw);
    await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
      EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
      var verified = ClusterChecks.condition(ec, "BackupVerified");
      assertThat(verified.getStatus()).isEqualTo("False");
      assertThat(verified.getReason()).isEqualTo("DrillFailed");
      assertThat(verified.getMessage()).contains("etcd-drilled", "fetch");
      assertThat(ec.getStatus().getBackup().getLastPassedSnapshot()).as("the last good drill is kept")
          .isEqualTo("etcd-drilled");
    });
    System.out.println("drill: " + target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get()
        .getStatus().getBackup().getDrillMessage());
    assertThat(KubernetesRefusalsE2E.reasons(target, ns)).contains("DrillFailed");
    ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofSeconds(30));
    assertThat(target.client().pods().inNamespace(ns).withName("etcd-0").get().getMetadata().getUid())
        .as("the member is never touched by a drill").isEqualTo(member);
  }

  /**
   * A new namespace with the store's credentials, and a Ready cluster whose snapshots go to the sandbox's store.
   * @param encrypted with the keyset Secret {@value #KEY_SECRET}
   * @param verify the restore drills' schedule; null for none
   */
  static ObjectStoreServer readyClusterWithStore(TargetCluster target, String ns, String name, int replicas,
      boolean encrypted, String verify) {
    ObjectStoreServer store = store(target);
    Scenario.namespace(target, ns);
    store.secret(target.client(), ns);
    Scenario.readyCluster(target, ns, name, replicas, s -> {
      SnapshotsSpec snapshots = new SnapshotsSpec();
      if (encrypted) {
        SnapshotEncryption encryption = new SnapshotEncryption();
        encryption.setKeySecretName(KEY_SECRET);
        snapshots.setEncryption(encryption);
      }
      snapshots.setDestination(destinationOf(store.destination()));
      snapshots.setVerify(verify);
      s.setSnapshots(snapshots);
    });
    return store;
  }

  static io.etcdpilot.operator.api.v1alpha1.BootstrapSpec fromSnapshot(String name) {
    var from = new io.etcdpilot.operator.api.v1alpha1.FromSnapshot();
    from.setSnapshotName(name);
    var b = new io.etcdpilot.operator.api.v1alpha1.BootstrapSpec();
    b.setFromSnapshot(from);
    return b;
  }

  static void put(List<String> urls, ClientCredentials creds, String prefix, int count) throws Exception {
    try (var c = ClientCredentials.jetcd(urls, creds)) {
      for (int i = 0; i < count; i++) {
        c.getKVClient().put(WriteLoad.bytes(prefix + i), WriteLoad.bytes("v" + i)).get(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
  }

  static ObjectStoreServer store(TargetCluster target) {
    Assumptions.assumeTrue(target.objectStore().isPresent(), "the target has no object store");
    return target.objectStore().get();
  }

  /** Every object key the store holds under a prefix (the store keeps them as files). */
  static List<String> storedUnder(ObjectStoreServer store, String prefix) throws java.io.IOException {
    Path root = store.file("");
    if (!Files.isDirectory(store.file(prefix))) return List.of();
    try (var walk = Files.walk(store.file(prefix))) {
      return walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).toList();
    }
  }

  /** The key of a stored snapshot's objects without their endings: {@code <prefix>/…/<name>-<uid>}. */
  static String objectBase(EtcdSnapshot s) {
    String key = s.getStatus().getLocation().substring(("s3://" + ObjectStoreServer.BUCKET + "/").length());
    return key.substring(0, key.lastIndexOf(".db"));
  }

  @Test
  void aMinorUpgradeStartsWithASnapshotOnlyOnceItSucceeded(TargetCluster target) throws Exception {
    ObjectStoreServer store = store(target);
    String ns = "snap-upgrade";
    Scenario.namespace(target, ns);
    store.secret(target.client(), ns);
    Scenario.readyCluster(target, ns, "etcd", 3, s -> {
      s.setVersion("3.5.35");
      SnapshotsSpec snapshots = new SnapshotsSpec();
      snapshots.setDestination(destinationOf(store.destination()));
      s.setSnapshots(snapshots);
    });
    Map<String, String> uids = target.client().pods().inNamespace(ns).list().getItems().stream()
        .collect(java.util.stream.Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getUid()));
    Scenario.editSpec(target, ns, "etcd", s -> s.setVersion("3.6.16"));
    // The way back first: no member restarts before the snapshot has succeeded.
    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      EtcdSnapshot before = target.client().resources(EtcdSnapshot.class).inNamespace(ns).withName("etcd-before-3.6.16")
          .get();
      assertThat(before).isNotNull();
      String phase = before.getStatus() == null ? null : before.getStatus().getPhase();
      if (!"Succeeded".equals(phase)) {
        assertThat(target.client().pods().inNamespace(ns).list().getItems()).allSatisfy(p ->
            assertThat(uids).containsEntry(p.getMetadata().getName(), p.getMetadata().getUid()));
      }
      assertThat(phase).isEqualTo("Succeeded");
    });
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
      EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
      assertThat(ec.getStatus().getUpgrade()).isNotNull();
      assertThat(ec.getStatus().getUpgrade().getSnapshot()).isEqualTo("etcd-before-3.6.16");
    });
    await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().until(() ->
        "3.6.16".equals(target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get().getStatus()
            .getVersion()));
    assertThat(target.client().v1().events().inNamespace(ns).list().getItems())
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("UpgradeSnapshot"));
  }

  static SnapshotDestination destinationOf(S3Destination s3) {
    SnapshotDestination d = new SnapshotDestination();
    d.setS3(s3);
    return d;
  }

  static EtcdSnapshot snapshot(String ns, String name, String cluster) {
    EtcdSnapshot s = new EtcdSnapshot();
    s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    EtcdSnapshotSpec spec = new EtcdSnapshotSpec();
    spec.setClusterName(cluster);
    s.setSpec(spec);
    return s;
  }

  static EtcdSnapshot awaitPhase(TargetCluster target, String ns, String name, String phase, Duration within) {
    await().atMost(within).pollInterval(Duration.ofMillis(500)).until(() -> {
      EtcdSnapshot s = target.client().resources(EtcdSnapshot.class).inNamespace(ns).withName(name).get();
      return s != null && s.getStatus() != null && phase.equals(s.getStatus().getPhase());
    });
    return target.client().resources(EtcdSnapshot.class).inNamespace(ns).withName(name).get();
  }
}
