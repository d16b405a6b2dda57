package io.etcdpilot.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcdpilot.operator.Main;
import io.etcdpilot.operator.OperatorOptions;
import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterSpec;
import io.etcdpilot.operator.api.v1alpha1.MemberStatus;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.Operator;
import java.io.FileInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reconciler against fabric8's mock API server; etcd is faked at this tier only. */
class EtcdClusterReconcilerApiTest {
  static final String NS = "prod";
  KubernetesMockServer server;
  KubernetesClient client;
  Operator operator;
  FakeObserver observer;

  @BeforeEach
  void start() throws Exception {
    server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(), new io.fabric8.mockwebserver.MockWebServer(),
        new java.util.HashMap<>(), new io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher(), false);
    server.init();
    client = server.createClient();
    try (var in = new FileInputStream(Path.of("target/classes/META-INF/fabric8/etcdclusters.etcdpilot.io-v1.yml").toFile())) {
      client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
    }
    observer = new FakeObserver();
    OperatorOptions options = new OperatorOptions(null, Set.of(), "cluster.local", 0, false, NS,
        Duration.ofMinutes(5), Duration.ofMinutes(10));
    operator = Main.start(client, options, observer, observer,
        OperatorSettings.defaults().withResync(Duration.ofMillis(300), Duration.ofMillis(300)));
  }

  @AfterEach
  void stop() {
    operator.stop();
    server.destroy();
  }

  static EtcdCluster cluster(String name, int replicas) {
    EtcdCluster c = new EtcdCluster();
    c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setReplicas(replicas);
    spec.setVersion("3.5.16");
    c.setSpec(spec);
    return c;
  }

  /** Creates a cluster whose members all answer healthy and waits until it reports Ready. */
  void readyCluster(String name, int replicas) {
    client.resource(cluster(name, replicas)).create();
    observer.next.set(FakeObserver.healthy(name, replicas, 1, 1_000_000));
    await().atMost(Duration.ofSeconds(20)).until(() -> get(name).getStatus() != null
        && Conditions.isTrue(get(name).getStatus().getConditions(), Conditions.READY));
  }

  EtcdCluster get(String name) {
    return client.resources(EtcdCluster.class).inNamespace(NS).withName(name).get();
  }

  @Test
  void createsEveryObjectWithOwnerReferencesAndReportsObservedMembers() {
    EtcdCluster created = client.resource(cluster("main", 3)).create();
    String uid = created.getMetadata().getUid();

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(client.apps().statefulSets().inNamespace(NS).withName("main").get()).isNotNull();
      assertThat(client.services().inNamespace(NS).withName("main-peer").get()).isNotNull();
      assertThat(client.services().inNamespace(NS).withName("main-client").get()).isNotNull();
      assertThat(client.configMaps().inNamespace(NS).withName("main-cluster-state").get()).isNotNull();
      assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("main").get()).isNotNull();
    });
    List<HasMetadata> owned = List.of(
        client.apps().statefulSets().inNamespace(NS).withName("main").get(),
        client.services().inNamespace(NS).withName("main-peer").get(),
        client.services().inNamespace(NS).withName("main-client").get(),
        client.configMaps().inNamespace(NS).withName("main-cluster-state").get(),
        client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("main").get());
    for (HasMetadata o : owned) {
      assertThat(o.getMetadata().getOwnerReferences()).as(o.getKind())
          .singleElement().satisfies(r -> {
            assertThat(r.getUid()).isEqualTo(uid);
            assertThat(r.getKind()).isEqualTo("EtcdCluster");
            assertThat(r.getController()).isTrue();
          });
    }
    // TLS by default: CA, member, client and operator certificates, owned by the cluster.
    for (String secret : List.of("main-ca", "main-member-tls", "main-client-tls", "main-operator-tls")) {
      assertThat(client.secrets().inNamespace(NS).withName(secret).get()).as(secret).isNotNull()
          .satisfies(s -> assertThat(s.getMetadata().getOwnerReferences()).singleElement()
              .satisfies(r -> assertThat(r.getUid()).isEqualTo(uid)));
    }
    StatefulSet sts = client.apps().statefulSets().inNamespace(NS).withName("main").get();
    assertThat(sts.getSpec().getTemplate().getMetadata().getAnnotations()).containsKey("etcdpilot.io/trust-bundle");
    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
    assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
    assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("main").get()
        .getSpec().getMinAvailable().getIntVal()).isEqualTo(2);

    // Before etcd answers: bootstrapping, not ready, still "new".
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      EtcdCluster c = get("main");
      assertThat(c.getStatus()).isNotNull();
      assertThat(Conditions.find(c.getStatus().getConditions(), Conditions.READY).orElseThrow().getReason())
          .isEqualTo("Bootstrapping");
      assertThat(c.getStatus().getSelector()).contains("app.kubernetes.io/instance=main");
    });
    assertThat(configState("main")).isEqualTo(ClusterObjects.STATE_NEW);
    assertThat(observer.urlsSeen.get(0)).containsExactly(
        "https://main-0.main-peer.prod.svc.cluster.local:2379",
        "https://main-1.main-peer.prod.svc.cluster.local:2379",
        "https://main-2.main-peer.prod.svc.cluster.local:2379");

    observer.next.set(FakeObserver.healthy("main", 3, 1000, 3_000_000));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      EtcdCluster c = get("main");
      assertThat(Conditions.isTrue(c.getStatus().getConditions(), Conditions.READY)).isTrue();
      assertThat(Conditions.isTrue(c.getStatus().getConditions(), Conditions.RECONCILING)).isFalse();
      assertThat(c.getStatus().getLeader()).isEqualTo("main-0");
      assertThat(c.getStatus().getClusterID()).isEqualTo("abcdef");
      assertThat(c.getStatus().getReadyReplicas()).isEqualTo(3);
      assertThat(c.getStatus().getVersion()).isEqualTo("3.5.16");
      assertThat(c.getStatus().getObservedGeneration()).isEqualTo(c.getMetadata().getGeneration());
      assertThat(c.getStatus().getMembers()).extracting(MemberStatus::getName, MemberStatus::getRole, MemberStatus::getDbSize)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("main-0", MemberStatus.Role.leader, "3Mi"),
              org.assertj.core.groups.Tuple.tuple("main-1", MemberStatus.Role.follower, "3Mi"),
              org.assertj.core.groups.Tuple.tuple("main-2", MemberStatus.Role.follower, "3Mi"));
    });
    await().untilAsserted(() -> assertThat(configState("main")).isEqualTo(ClusterObjects.STATE_EXISTING));
  }

  @Test
  void steadyStateMakesNoApiReadsNoWritesEvenWhileRaftIndexMoves() throws Exception {
    client.resource(cluster("calm", 3)).create();
    observer.next.set(FakeObserver.healthy("calm", 3, 1, 1_000_000));
    await().atMost(Duration.ofSeconds(20)).until(() -> get("calm").getStatus() != null
        && Conditions.isTrue(get("calm").getStatus().getConditions(), Conditions.READY)
        && ClusterObjects.STATE_EXISTING.equals(configState("calm")));
    // Steady state starts once the operator's cache has caught up with its own last writes.
    int settled = observer.calls.get() + 3;
    await().atMost(Duration.ofSeconds(10)).until(() -> observer.calls.get() >= settled);
    Map<String, String> before = resourceVersions("calm");
    String statusBefore = io.fabric8.kubernetes.client.utils.Serialization.asJson(get("calm").getStatus());

    // Client traffic moves raft index and grows the db by a few KiB on every observation.
    drainRequests();
    int callsBefore = observer.calls.get();
    for (int i = 0; i < 10; i++) {
      observer.next.set(FakeObserver.healthy("calm", 3, 1000L * (i + 2), 1_000_000 + 4096L * i));
      int target = observer.calls.get() + 1;
      await().atMost(Duration.ofSeconds(10)).until(() -> observer.calls.get() >= target);
    }
    assertThat(observer.calls.get() - callsBefore).isGreaterThanOrEqualTo(10);
    // Every pass read from the informer caches: the API server saw nothing but watches being re-established.
    assertThat(drainRequests()).allMatch(r -> r.startsWith("GET ") && r.contains("watch=true"));
    assertThat(resourceVersions("calm")).as(() -> "status before " + statusBefore + "\nstatus after "
        + io.fabric8.kubernetes.client.utils.Serialization.asJson(get("calm").getStatus())).isEqualTo(before);
  }

  /** Requests the mock API server received since the last call, as "METHOD path". */
  List<String> drainRequests() throws InterruptedException {
    List<String> seen = new java.util.ArrayList<>();
    for (var r = server.takeRequest(50, java.util.concurrent.TimeUnit.MILLISECONDS); r != null;
         r = server.takeRequest(50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      seen.add(r.getMethod() + " " + r.getPath());
    }
    return seen;
  }

  @Test
  void handEditsToOwnedFieldsAreRevertedAndReported() {
    client.resource(cluster("edited", 3)).create();
    observer.next.set(FakeObserver.healthy("edited", 3, 1, 1_000_000));
    await().atMost(Duration.ofSeconds(20)).until(() -> get("edited").getStatus() != null
        && Conditions.isTrue(get("edited").getStatus().getConditions(), Conditions.READY)
        && ClusterObjects.STATE_EXISTING.equals(configState("edited")));
    String joinList = client.configMaps().inNamespace(NS).withName("edited-cluster-state").get()
        .getData().get(ClusterObjects.INITIAL_CLUSTER_KEY);

    client.apps().statefulSets().inNamespace(NS).withName("edited").edit(s -> {
      s.getSpec().getUpdateStrategy().setType("RollingUpdate");
      s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("example.com/not-etcd:1");
      s.getMetadata().getLabels().put("team", "payments"); // not ours: stays
      return s;
    });
    client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("edited").edit(p -> {
      p.getSpec().setMinAvailable(new io.fabric8.kubernetes.api.model.IntOrString(0));
      return p;
    });
    client.configMaps().inNamespace(NS).withName("edited-cluster-state").edit(c -> {
      c.getData().put(ClusterObjects.STATE_KEY, ClusterObjects.STATE_NEW);
      return c;
    });

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      StatefulSet sts = client.apps().statefulSets().inNamespace(NS).withName("edited").get();
      assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
      assertThat(sts.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).contains("etcd");
      assertThat(sts.getMetadata().getLabels()).containsEntry("team", "payments");
      assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("edited").get()
          .getSpec().getMinAvailable().getIntVal()).isEqualTo(2);
      ConfigMap state = client.configMaps().inNamespace(NS).withName("edited-cluster-state").get();
      assertThat(state.getData()).containsEntry(ClusterObjects.STATE_KEY, ClusterObjects.STATE_EXISTING)
          .containsEntry(ClusterObjects.INITIAL_CLUSTER_KEY, joinList);
    });
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        client.v1().events().inNamespace(NS).list().getItems().stream()
            .filter(e -> "DriftReverted".equals(e.getReason())).map(io.fabric8.kubernetes.api.model.Event::getMessage))
        .anySatisfy(m -> assertThat(m).contains("StatefulSet edited").contains("spec.updateStrategy.type")
            .contains("spec.template.spec.containers[0].image"))
        .anySatisfy(m -> assertThat(m).contains("PodDisruptionBudget edited").contains("spec.minAvailable"))
        .anySatisfy(m -> assertThat(m).contains("ConfigMap edited-cluster-state").contains("data")));
  }

  @Test
  void unexpectedErrorSurfacesInStatusAndThePassIsRetriedUntilItWorks() {
    readyCluster("flaky", 3);

    observer.failure.set(new IllegalStateException("disk on fire"));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      var conditions = get("flaky").getStatus().getConditions();
      var ready = Conditions.find(conditions, Conditions.READY).orElseThrow();
      assertThat(ready.getStatus()).isEqualTo("False");
      assertThat(ready.getReason()).isEqualTo("ReconcileError");
      assertThat(ready.getMessage()).contains("IllegalStateException: disk on fire");
      assertThat(Conditions.isTrue(conditions, Conditions.RECONCILING)).isTrue();
    });
    // JOSDK keeps retrying: once the cause is gone the next retry clears the error.
    observer.failure.set(null);
    await().atMost(Duration.ofSeconds(30)).until(() ->
        Conditions.isTrue(get("flaky").getStatus().getConditions(), Conditions.READY));
  }

  @Test
  void disruptionBudgetFollowsTheVotersEtcdReportsNotTheSpec() {
    readyCluster("shrink", 5);
    assertThat(minAvailable("shrink")).isEqualTo(3);

    // 5 → 3: while etcd still has 5 voters the budget keeps the quorum of 5, not of the 3 the spec asks for.
    EtcdCluster smaller = get("shrink");
    smaller.getSpec().setReplicas(3);
    client.resource(smaller).update();
    int after = observer.calls.get() + 3;
    await().atMost(Duration.ofSeconds(20)).until(() -> observer.calls.get() >= after);
    assertThat(minAvailable("shrink")).isEqualTo(3);
    assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("shrink").get().getSpec()
        .getSelector().getMatchLabels()).containsEntry("etcdpilot.io/voter", "true");

    observer.next.set(FakeObserver.healthy("shrink", 3, 1, 1_000_000));
    await().atMost(Duration.ofSeconds(20)).until(() -> minAvailable("shrink") == 2);
  }

  int minAvailable(String name) {
    return client.policy().v1().podDisruptionBudget().inNamespace(NS).withName(name).get().getSpec().getMinAvailable().getIntVal();
  }

  @Test
  void invalidSpecOnRunningClusterOnlySetsStalled() {
    readyCluster("held", 3);
    Map<String, String> before = resourceVersions("held");
    before.remove("EtcdCluster/held");

    EtcdCluster broken = get("held");
    broken.getSpec().setReplicas(12);
    broken.getSpec().setVersion("3.9.1");
    client.resource(broken).update();

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      var stalled = Conditions.find(get("held").getStatus().getConditions(), Conditions.STALLED).orElseThrow();
      assertThat(stalled.getStatus()).isEqualTo("True");
      assertThat(stalled.getReason()).isEqualTo("InvalidSpec");
      assertThat(stalled.getMessage()).contains("spec.replicas").contains("spec.version");
    });
    Map<String, String> after = resourceVersions("held");
    after.remove("EtcdCluster/held");
    assertThat(after).isEqualTo(before);
    assertThat(client.apps().statefulSets().inNamespace(NS).withName("held").get().getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void refusedVersionChangeRendersNothingNewAndAnAllowedOneDoes() {
    readyCluster("ver", 3);
    String image = client.apps().statefulSets().inNamespace(NS).withName("ver").get().getSpec().getTemplate().getSpec()
        .getContainers().get(0).getImage();
    assertThat(image).endsWith(":v3.5.16");

    EtcdCluster older = get("ver");
    older.getSpec().setVersion("3.4.23"); // a minor downgrade by binary swap: members would crash-loop
    client.resource(older).update();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      var stalled = Conditions.find(get("ver").getStatus().getConditions(), Conditions.STALLED).orElseThrow();
      assertThat(stalled.getStatus()).isEqualTo("True");
      assertThat(stalled.getReason()).isEqualTo("ChangeRefused");
      assertThat(stalled.getMessage()).contains("spec.version").contains("downgrade");
    });
    StatefulSet sts = client.apps().statefulSets().inNamespace(NS).withName("ver").get();
    assertThat(sts.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo(image);
    assertThat(sts.getMetadata().getAnnotations()).containsEntry(ClusterObjects.VERSION_ANNOTATION, "3.5.16");

    EtcdCluster patch = get("ver");
    patch.getSpec().setVersion("3.5.30");
    client.resource(patch).update();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      StatefulSet now = client.apps().statefulSets().inNamespace(NS).withName("ver").get();
      assertThat(now.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).endsWith(":v3.5.30");
      assertThat(Conditions.isTrue(get("ver").getStatus().getConditions(), Conditions.STALLED)).isFalse();
    });
  }

  @Test
  void storageChangeIsReportedAndNeverSentWhileOtherChangesStillApply() {
    readyCluster("disk", 3);

    EtcdCluster grown = get("disk");
    grown.getSpec().setStorage(new io.etcdpilot.operator.api.v1alpha1.StorageSpec());
    grown.getSpec().getStorage().setSize("4Gi"); // a shrink: a volume never shrinks
    grown.getSpec().setPodTemplate(new io.etcdpilot.operator.api.v1alpha1.PodTemplateSpec());
    grown.getSpec().getPodTemplate().setMetadata(new io.etcdpilot.operator.api.v1alpha1.PodTemplateSpec.Metadata());
    grown.getSpec().getPodTemplate().getMetadata().setLabels(Map.of("team", "storage"));
    client.resource(grown).update();

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      var stalled = Conditions.find(get("disk").getStatus().getConditions(), Conditions.STALLED).orElseThrow();
      assertThat(stalled.getStatus()).isEqualTo("True");
      assertThat(stalled.getReason()).isEqualTo("ChangeRefused");
      assertThat(stalled.getMessage()).contains("spec.storage.size").contains("8Gi");
      // The rest of the spec still reaches the StatefulSet.
      assertThat(client.apps().statefulSets().inNamespace(NS).withName("disk").get().getSpec().getTemplate()
          .getMetadata().getLabels()).containsEntry("team", "storage");
    });
    StatefulSet sts = client.apps().statefulSets().inNamespace(NS).withName("disk").get();
    assertThat(sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(new io.fabric8.kubernetes.api.model.Quantity("8Gi"));
    assertThat(client.v1().events().inNamespace(NS).list().getItems())
        .filteredOn(e -> "ChangeRefused".equals(e.getReason())).hasSize(1);
  }

  @Test
  void memberThatLostItsDataIsRemovedReAddedAndItsOldVolumeDeleted() {
    client.resource(cluster("lost", 3)).create();
    observer.next.set(FakeObserver.healthy("lost", 3, 1000, 1_000_000));
    // Every member started: the join list is empty, so a member restarting without data cannot rejoin.
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(configState("lost")).isEqualTo(ClusterObjects.STATE_EXISTING);
      assertThat(client.configMaps().inNamespace(NS).withName("lost-cluster-state").get().getData())
          .containsEntry(ClusterObjects.INITIAL_CLUSTER_KEY, "");
    });
    // The claims the StatefulSet made are labelled with the member whose data each holds.
    Map<String, String> labels = Map.of("etcdpilot.io/cluster", "lost", "app.kubernetes.io/instance", "lost",
        "app.kubernetes.io/name", "etcd");
    for (int i = 0; i < 3; i++) {
      client.resource(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder().withNewMetadata()
          .withName("data-lost-" + i).withNamespace(NS).withLabels(labels).endMetadata().build()).create();
    }
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      for (int i = 0; i < 3; i++) {
        assertThat(client.persistentVolumeClaims().inNamespace(NS).withName("data-lost-" + i).get().getMetadata()
            .getLabels()).containsEntry(io.etcdpilot.operator.membership.MembershipInputs.VOLUME_OWNER_LABEL, Long.toHexString(100 + i));
      }
    });

    // lost-1 restarts on an empty volume: etcd refuses, and says so in the pod's termination message.
    // As the StatefulSet controller creates it: controlled by the StatefulSet (only such pods are members).
    String sts = client.apps().statefulSets().inNamespace(NS).withName("lost").get().getMetadata().getUid();
    client.resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("lost-1")
        .withNamespace(NS).withLabels(labels).addNewOwnerReference().withApiVersion("apps/v1").withKind("StatefulSet")
        .withName("lost").withUid(sts).withController(true).endOwnerReference().endMetadata()
        .withNewStatus().addNewCondition().withType("Ready").withStatus("False")
        .withLastTransitionTime(java.time.Instant.now().toString()).endCondition()
        .addNewContainerStatus().withName("etcd").withReady(false).withNewLastState().withNewTerminated()
        .withExitCode(1).withMessage("{\"level\":\"fatal\",\"msg\":\"discovery failed\",\"error\":"
            + "\"couldn't find local name \\\"lost-1\\\" in the initial cluster configuration\"}")
        .endTerminated().endLastState().endContainerStatus().endStatus().build()).create();
    observer.next.set(FakeObserver.of(FakeObserver.member("lost", 0, 100, false, true, true),
        FakeObserver.member("lost", 1, 101, false, true, false), FakeObserver.member("lost", 2, 102, false, true, true)));
    await().atMost(Duration.ofSeconds(20)).until(() -> observer.membershipCalls.contains("remove 101"));
    assertThat(observer.membershipCalls).doesNotContain("remove 100", "remove 102");

    // Removed: added back as a learner, its pod finding every member in the join list.
    observer.next.set(FakeObserver.of(FakeObserver.member("lost", 0, 100, false, true, true),
        FakeObserver.member("lost", 2, 102, false, true, true)));
    await().atMost(Duration.ofSeconds(20)).until(() ->
        observer.membershipCalls.contains("add https://lost-1.lost-peer.prod.svc.cluster.local:2380"));
    // While ordinal 1 is being replaced the operator talks to the voters it saw, not to ordinals 0..1.
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(observer.lastUrls()).containsExactly(
        "https://lost-0.lost-peer.prod.svc.cluster.local:2379", "https://lost-2.lost-peer.prod.svc.cluster.local:2379"));
    observer.next.set(FakeObserver.of(FakeObserver.member("lost", 0, 100, false, true, true),
        FakeObserver.member("lost", 1, 201, true, false, false), FakeObserver.member("lost", 2, 102, false, true, true)));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(client.configMaps().inNamespace(NS).withName("lost-cluster-state").get().getData()
          .get(ClusterObjects.INITIAL_CLUSTER_KEY)).contains("lost-0=", "lost-1=", "lost-2=");
      // The old volume goes (with the pod that mounts it): the learner must start empty.
      assertThat(client.persistentVolumeClaims().inNamespace(NS).withName("data-lost-1").get()).isNull();
      assertThat(client.pods().inNamespace(NS).withName("lost-1").get()).isNull();
    });
    assertThat(client.persistentVolumeClaims().inNamespace(NS).withName("data-lost-0").get()).isNotNull();
    assertThat(get("lost").getStatus().getOperation().getType()).isEqualTo("AddMember");
  }

  String configState(String name) {
    ConfigMap cm = client.configMaps().inNamespace(NS).withName(name + "-cluster-state").get();
    return cm == null ? null : cm.getData().get(ClusterObjects.STATE_KEY);
  }

  /** Resource versions of the cluster and everything it owns; any write changes one. */
  Map<String, String> resourceVersions(String name) {
    List<HasMetadata> all = new java.util.ArrayList<>();
    all.add(get(name));
    all.add(client.apps().statefulSets().inNamespace(NS).withName(name).get());
    all.add(client.services().inNamespace(NS).withName(name + "-peer").get());
    all.add(client.services().inNamespace(NS).withName(name + "-client").get());
    all.add(client.configMaps().inNamespace(NS).withName(name + "-cluster-state").get());
    all.add(client.policy().v1().podDisruptionBudget().inNamespace(NS).withName(name).get());
    for (String secret : List.of("-ca", "-member-tls", "-client-tls", "-operator-tls")) {
      all.add(client.secrets().inNamespace(NS).withName(name + secret).get());
    }
    return all.stream().collect(Collectors.toMap(o -> o.getKind() + "/" + o.getMetadata().getName(),
        o -> o.getMetadata().getResourceVersion(), (a, b) -> a + "," + b, java.util.TreeMap::new));
  }
}
