package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.EtcdConnection;
import io.etcdpilot.operator.etcd.EtcdAdmin;
import io.etcdpilot.operator.etcd.EtcdObserver;
import io.etcdpilot.operator.etcd.ObservedMember;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Stands in for jetcd at the API-test tier only; real etcd is used in the *IT and *E2E tiers. */
class FakeObserver implements EtcdObserver, EtcdAdmin {
  final AtomicReference<ClusterObservation> next = new AtomicReference<>(ClusterObservation.unreachable("not yet"));
  final AtomicInteger calls = new AtomicInteger();
  final List<List<String>> urlsSeen = new ArrayList<>();
  /** When set, observing fails with it: an unexpected error inside a pass. */
  final AtomicReference<RuntimeException> failure = new AtomicReference<>();

  /** How the last pass asked for the member list. */
  volatile MemberList lastListMode;

  @Override
  public synchronized ClusterObservation observe(EtcdConnection connection, List<String> clientUrls, MemberList mode) {
    calls.incrementAndGet();
    lastListMode = mode;
    urlsSeen.add(clientUrls);
    if (failure.get() != null) throw failure.get();
    return next.get();
  }

  synchronized List<String> lastUrls() {
    return urlsSeen.isEmpty() ? List.of() : urlsSeen.get(urlsSeen.size() - 1);
  }

  final List<Long> leaderMoves = new ArrayList<>();

  @Override
  public synchronized void moveLeader(EtcdConnection connection, String leaderClientUrl, long targetMemberId) {
    leaderMoves.add(targetMemberId);
    affect("move " + targetMemberId);
  }

  /** How a call changes what etcd reports next ("defrag URL", "compact", "disarm TYPE ID", "move ID"); null: not at all. */
  final AtomicReference<java.util.function.BiFunction<String, ClusterObservation, ClusterObservation>> effect =
      new AtomicReference<>();

  private void affect(String call) {
    var e = effect.get();
    if (e != null) next.set(e.apply(call, next.get()));
  }

  final List<String> membershipCalls = new ArrayList<>();

  @Override
  public synchronized long addLearner(EtcdConnection connection, List<String> clientUrls, String peerUrl) {
    membershipCalls.add("add " + peerUrl);
    return 999;
  }

  @Override
  public synchronized boolean promote(EtcdConnection connection, List<String> clientUrls, long memberId) {
    membershipCalls.add("promote " + memberId);
    return true;
  }

  @Override
  public synchronized void removeMember(EtcdConnection connection, List<String> clientUrls, long memberId) {
    membershipCalls.add("remove " + memberId);
  }

  final List<String> downgradeCalls = new ArrayList<>();
  /** What a downgrade call answers with; null: the cluster version etcd would report. */
  final AtomicReference<RuntimeException> downgradeFailure = new AtomicReference<>();

  @Override
  public synchronized String downgrade(EtcdConnection connection, List<String> clientUrls, DowngradeAction action,
      String version) {
    downgradeCalls.add(action + " " + version);
    if (downgradeFailure.get() != null) throw downgradeFailure.get();
    return "3.6.0";
  }

  final AtomicReference<Boolean> authEnabled = new AtomicReference<>(false);

  @Override
  public synchronized boolean authEnabled(EtcdConnection connection, List<String> clientUrls) {
    return authEnabled.get();
  }

  final List<String> maintenanceCalls = new ArrayList<>();
  /** What a defragmentation leaves (size, in use); null: the member's size in use. */
  final AtomicReference<DbUsage> afterDefrag = new AtomicReference<>();
  final AtomicReference<RuntimeException> defragFailure = new AtomicReference<>();

  @Override
  public synchronized DbUsage defragment(EtcdConnection connection, String memberClientUrl, java.time.Duration timeout) {
    maintenanceCalls.add("defrag " + memberClientUrl);
    if (defragFailure.get() != null) throw defragFailure.get();
    affect("defrag " + memberClientUrl);
    return afterDefrag.get() != null ? afterDefrag.get() : new DbUsage(1_000_000, 1_000_000);
  }

  @Override
  public synchronized long compactToCurrent(EtcdConnection connection, List<String> clientUrls) {
    maintenanceCalls.add("compact");
    affect("compact");
    return 4242;
  }

  @Override
  public synchronized void disarm(EtcdConnection connection, List<String> clientUrls, io.etcdpilot.operator.etcd.EtcdAlarm alarm) {
    maintenanceCalls.add("disarm " + alarm.type() + " " + alarm.memberHex());
    affect("disarm " + alarm.type() + " " + alarm.memberHex());
  }

  static ClusterObservation healthy(String cluster, int members, long raftIndex, long dbSize) {
    List<ObservedMember> list = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      list.add(new ObservedMember(100 + i, cluster + "-" + i, List.of("https://" + cluster + "-" + i + "." + cluster + "-peer:2380"),
          List.of("https://" + cluster + "-" + i + "." + cluster + "-peer:2379"), false,
          true, "3.5.16", dbSize, raftIndex + i, 2, 100, null));
    }
    return new ClusterObservation(true, 0xabcdefL, list, null);
  }

  /** Member {@code i} of a cluster as etcd lists it; {@code started=false} is a learner that never ran. */
  static ObservedMember member(String cluster, int i, long id, boolean learner, boolean started, boolean reachable) {
    String host = cluster + "-" + i + "." + cluster + "-peer";
    return new ObservedMember(id, started ? cluster + "-" + i : "", List.of("https://" + host + ":2380"),
        started ? List.of("https://" + host + ":2379") : List.of(), learner, reachable, reachable ? "3.5.16" : null,
        reachable ? 1_000_000 : 0, reachable ? 1000 : 0, 2, reachable ? 100 : 0, reachable ? null : "unreachable");
  }

  static ClusterObservation of(ObservedMember... members) {
    return new ClusterObservation(true, 0xabcdefL, List.of(members), null);
  }
}
