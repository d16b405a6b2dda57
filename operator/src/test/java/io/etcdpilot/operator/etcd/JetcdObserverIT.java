package io.etcdpilot.operator.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcdpilot.operator.model.TlsWiring;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The member observation code against a real 3-member etcd cluster. */
class JetcdObserverIT {
  static LocalEtcdCluster etcd;
  final JetcdObserver observer = new JetcdObserver(Duration.ofSeconds(3));
  final EtcdConnection connection = EtcdConnection.plain("it/observer");

  @BeforeAll
  static void startEtcd() throws Exception {
    etcd = new LocalEtcdCluster("127.0.71.", 3);
  }

  @AfterAll
  static void stopEtcd() throws Exception {
    etcd.close();
  }

  @Test
  void readsLeaderRaftIndexVersionAndLearnerFlag() throws Exception {
    ClusterObservation before = observer.observe(connection, etcd.clientUrls());
    assertThat(before.reachable()).isTrue();
    assertThat(before.clusterId()).isNotZero();
    assertThat(before.members()).hasSize(3).allSatisfy(m -> {
      assertThat(m.reachable()).isTrue();
      assertThat(m.learner()).isFalse();
      assertThat(m.version()).matches("3\\.\\d+\\.\\d+");
      assertThat(m.raftIndex()).isPositive();
      assertThat(m.dbSizeBytes()).isPositive();
    });
    // Every member names the same leader, and that leader is one of them.
    assertThat(before.members()).extracting(ObservedMember::leaderId).containsOnly(before.members().get(0).leaderId());
    assertThat(before.leader()).isPresent();
    assertThat(before.leader().get().name()).isIn("m1", "m2", "m3");

    try (Client client = Client.builder().endpoints(etcd.clientUrls().stream().map(URI::create).toArray(URI[]::new)).build()) {
      for (int i = 0; i < 50; i++) {
        client.getKVClient().put(bytes("k" + i), bytes("v" + i)).get();
      }
      // The raft index moves with writes.
      long indexBefore = before.leader().get().raftIndex();
      await().atMost(Duration.ofSeconds(10)).until(() -> observer.observe(connection, etcd.clientUrls()).leader()
          .orElseThrow().raftIndex() >= indexBefore + 50);

      // A learner that was added but never started: listed, flagged, not reachable, not a voter.
      // etcd refuses membership changes until every member has been connected for 5 s ("unhealthy cluster").
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
          client.getClusterClient().addMember(List.of(URI.create("http://127.0.71.9:2380")), true).get() != null);
      ClusterObservation after = observer.observe(connection, etcd.clientUrls());
      assertThat(after.members()).hasSize(4);
      assertThat(after.members()).filteredOn(ObservedMember::learner).singleElement().satisfies(l -> {
        assertThat(l.started()).isFalse();
        assertThat(l.reachable()).isFalse();
        assertThat(l.peerUrls()).containsExactly("http://127.0.71.9:2380");
      });
      assertThat(after.members()).filteredOn(m -> !m.learner()).hasSize(3).allMatch(ObservedMember::reachable);
    }
  }

  @Test
  void passesReuseOneChannelPerMember() {
    JetcdObserver fresh = new JetcdObserver(Duration.ofSeconds(3));
    try (fresh) {
      assertThat(fresh.observe(connection, etcd.clientUrls()).reachable()).isTrue();
      long afterFirst = fresh.channels().opened();
      assertThat(afterFirst).as("one channel per member").isLessThanOrEqualTo(etcd.clientUrls().size());
      for (int i = 0; i < 5; i++) {
        assertThat(fresh.observe(connection, etcd.clientUrls()).members()).filteredOn(m -> !m.learner())
            .hasSize(3).allMatch(ObservedMember::reachable);
      }
      assertThat(fresh.channels().opened()).as("no new connections on later passes").isEqualTo(afterFirst);
    }
  }

  @Test
  void unreachableClusterIsReportedNotThrown() {
    ClusterObservation none = new JetcdObserver(Duration.ofMillis(500)).observe(connection, List.of("http://127.0.71.99:2379"));
    assertThat(none.reachable()).isFalse();
    assertThat(none.error()).isNotBlank();
    assertThat(none.members()).isEmpty();
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  @Test
  void majorityModeAsksEveryMemberAndTheirListsAgree() {
    // The ITs run Debian's etcd 3.4, whose member list is each member's own view.
    ClusterObservation seen = observer.observe(connection, etcd.clientUrls(), EtcdObserver.MemberList.MAJORITY_AGREEING);
    assertThat(seen.reachable()).isTrue();
    assertThat(seen.listAgreed()).isTrue();
    assertThat(seen.members()).hasSizeGreaterThanOrEqualTo(3);
    // One member answering alone confirms nothing.
    ClusterObservation alone = observer.observe(connection, etcd.clientUrls().subList(0, 1),
        EtcdObserver.MemberList.MAJORITY_AGREEING);
    assertThat(alone.reachable()).isTrue();
    assertThat(alone.listAgreed()).isFalse();
  }
}
