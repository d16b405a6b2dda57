package io.etcdpilot.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcdpilot.operator.Main;
import io.etcdpilot.operator.OperatorOptions;
import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdOptions;
import io.etcdpilot.operator.api.v1alpha1.MemberMaintenance;
import io.etcdpilot.operator.api.v1alpha1.StorageSpec;
import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.EtcdAdmin;
import io.etcdpilot.operator.etcd.EtcdAlarm;
import io.etcdpilot.operator.etcd.ObservedMember;
import io.etcdpilot.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.Operator;
import java.io.FileInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Maintenance through the whole pipeline (mock API server, etcd faked by {@link FakeObserver} whose answers follow the
 * operator's calls): the order of steps, what status, Events and the StatefulSet say.
 */
class MaintenancePipelineTest {
  static final String NS = "prod";
  static final long MIB = 1 << 20;
  KubernetesMockServer server;
  KubernetesClient client;
  Operator operator;
  FakeObserver etcd;

  @BeforeEach
  void start() throws Exception {
    server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(), new io.fabric8.mockwebserver.MockWebServer(),
        new java.util.HashMap<>(), new io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher(), false);
    server.init();
    client = server.createClient();
    try (var in = new FileInputStream(Path.of("target/classes/META-INF/fabric8/etcdclusters.etcdpilot.io-v1.yml").toFile())) {
      client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
    }
    etcd = new FakeObserver();
    // Each call changes what etcd says next, as real etcd would.
    etcd.effect.set(MaintenancePipelineTest::after);
    operator = Main.start(client, new OperatorOptions(null, Set.of(), "cluster.local", 0, false, NS,
        Duration.ofMinutes(5), Duration.ofMinutes(10)), etcd, etcd,
        OperatorSettings.defaults().withResync(Duration.ofMillis(300), Duration.ofMillis(300)));
  }

  @AfterEach
  void stop() {
    operator.stop();
    server.destroy();
  }

  /** A defragmented member keeps only what it uses; a disarm clears the alarm; a move changes every member's leader. */
  static ClusterObservation after(String call, ClusterObservation o) {
    if (call.startsWith("defrag ")) {
      String url = call.substring(7);
      return new ClusterObservation(true, o.clusterId(), o.members().stream().map(m -> m.clientUrls().get(0).equals(url)
          ? m.withSizes(m.dbSizeInUse(), m.dbSizeInUse()) : m).toList(), null, true).withAlarms(o.alarms());
    }
    if (call.startsWith("disarm NOSPACE")) return o.withAlarms(List.of());
    if (call.startsWith("move ")) {
      long to = Long.parseLong(call.substring(5));
      return new ClusterObservation(true, o.clusterId(), o.members().stream().map(m -> new ObservedMember(m.id(),
          m.name(), m.peerUrls(), m.clientUrls(), m.learner(), m.reachable(), m.version(), m.dbSizeBytes(), m.raftIndex(),
          m.raftTerm() + 1, to, null, null, null, m.dbSizeInUse(), m.revision())).toList(), null, true).withAlarms(o.alarms());
    }
    return o;
  }

  EtcdCluster cluster(String name, long quota) {
    EtcdCluster c = EtcdClusterReconcilerApiTest.cluster(name, 3);
    c.getSpec().setStorage(new StorageSpec());
    c.getSpec().getStorage().setSize("1Gi");
    EtcdOptions o = new EtcdOptions();
    o.setQuotaBackendBytes(quota);
    c.getSpec().setEtcd(o);
    return c;
  }

  static ClusterObservation sized(String cluster, long size, long inUse) {
    ClusterObservation h = FakeObserver.healthy(cluster, 3, 1000, size);
    return new ClusterObservation(true, h.clusterId(), h.members().stream().map(m -> m.withSizes(size, inUse)).toList(),
        null);
  }

  EtcdCluster get(String name) {
    return client.resources(EtcdCluster.class).inNamespace(NS).withName(name).get();
  }

  List<String> reasons() {
    return client.v1().events().inNamespace(NS).list().getItems().stream().map(Event::getReason).toList();
  }

  @Test
  void noSpaceIsReportedAndRecoveredCompactDefragmentLeaderLastDisarm() {
    client.resource(cluster("full", 100 * MIB)).create();
    etcd.next.set(sized("full", 100 * MIB, 20 * MIB).withAlarms(List.of(new EtcdAlarm(101, EtcdAlarm.Type.NOSPACE))));
    etcd.afterDefrag.set(new EtcdAdmin.DbUsage(20 * MIB, 20 * MIB));
    // The pipeline steps faster than one can look: Ready=False shows in the first passes; the order in the calls.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(etcd.maintenanceCalls).contains(
        "disarm NOSPACE 65"));
    assertThat(etcd.maintenanceCalls).containsExactly("compact", "defrag https://full-1.full-peer:2379",
        "defrag https://full-2.full-peer:2379", "defrag https://full-0.full-peer:2379", "disarm NOSPACE 65");
    assertThat(etcd.leaderMoves).as("leadership moved once, to the follower furthest ahead").containsExactly(102L);
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> Conditions.isTrue(get("full").getStatus().getConditions(),
        Conditions.READY));
    var m = get("full").getStatus().getMaintenance();
    assertThat(m.getQuotaBytes()).isEqualTo(100 * MIB);
    assertThat(m.getNoSpace().getCompactedRevision()).isEqualTo(4242);
    assertThat(m.getNoSpace().getRecoveredTime()).isNotNull();
    assertThat(m.getNoSpace().getMembers()).contains("full-1");
    assertThat(m.getMembers()).extracting(MemberMaintenance::getName).containsExactly("full-0", "full-1", "full-2");
    assertThat(m.getMembers()).allSatisfy(x -> {
      assertThat(x.getBytesBefore()).isEqualTo(100 * MIB);
      assertThat(x.getBytesAfter()).isEqualTo(20 * MIB);
    });
    assertThat(reasons()).contains("QuotaExhausted", "NoSpaceCompacted", "Defragmented", "LeadershipMoved",
        "QuotaRecovered");
    assertThat(client.apps().statefulSets().inNamespace(NS).withName("full").get().getSpec().getTemplate().getSpec()
        .getContainers().get(0).getArgs()).contains("--quota-backend-bytes=" + 100 * MIB);
  }

  @Test
  void noSpaceReadyFalseWhileLiveDataExceedsTheQuota() {
    client.resource(cluster("live", 100 * MIB)).create();
    etcd.next.set(sized("live", 100 * MIB, 95 * MIB).withAlarms(List.of(new EtcdAlarm(100, EtcdAlarm.Type.NOSPACE))));
    etcd.afterDefrag.set(new EtcdAdmin.DbUsage(95 * MIB, 95 * MIB));
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
      var ready = Conditions.find(get("live").getStatus().getConditions(), Conditions.READY).orElseThrow();
      assertThat(ready.getStatus()).isEqualTo("False");
      assertThat(ready.getReason()).isEqualTo("QuotaExhausted");
      assertThat(ready.getMessage()).contains("live data 95.0 MiB", "raise spec.etcd.quotaBackendBytes");
    });
    assertThat(etcd.maintenanceCalls).as("no disarm into the next alarm").noneMatch(c -> c.startsWith("disarm"))
        .filteredOn(c -> c.startsWith("defrag")).hasSize(3);
  }

  @Test
  void aFragmentedClusterIsDefragmentedOnceFollowersFirstAndNotAgainWithinMinInterval() throws Exception {
    client.resource(cluster("frag", 900 * MIB)).create();
    etcd.next.set(sized("frag", 600 * MIB, 200 * MIB));
    etcd.afterDefrag.set(new EtcdAdmin.DbUsage(200 * MIB, 200 * MIB));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(etcd.maintenanceCalls).hasSize(3));
    assertThat(etcd.maintenanceCalls).containsExactly("defrag https://frag-1.frag-peer:2379",
        "defrag https://frag-2.frag-peer:2379", "defrag https://frag-0.frag-peer:2379");
    assertThat(etcd.leaderMoves).containsExactly(102L);
    // Fragmented again at once: minInterval (1h) holds every member back.
    etcd.next.set(sized("frag", 600 * MIB, 200 * MIB));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> etcd.maintenanceCalls.size() == 3);
    assertThat(Conditions.find(get("frag").getStatus().getConditions(), Conditions.DEFRAG_FAILING)).isEmpty();
  }

  @Test
  void aFailedDefragmentationIsCountedToldAndNotRepeatedAtOnce() {
    client.resource(cluster("sick", 900 * MIB)).create();
    etcd.next.set(sized("sick", 600 * MIB, 200 * MIB));
    etcd.defragFailure.set(new IllegalStateException("disk full"));
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertThat(get("sick").getStatus().getMaintenance()
        .getMembers()).isNotEmpty());
    assertThat(reasons()).contains("DefragFailed");
    assertThat(get("sick").getStatus().getMaintenance().getMembers().get(0).getLastFailure()).contains("disk full");
    // The member waits out its back-off (a minute) before it is tried again (three in a row: the planner's tests).
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> etcd.maintenanceCalls.stream()
        .filter(c -> c.equals("defrag https://sick-1.sick-peer:2379")).count() == 1);
  }
}
