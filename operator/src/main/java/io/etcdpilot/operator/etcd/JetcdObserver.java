package io.etcdpilot.operator.etcd;

import com.google.common.util.concurrent.ListenableFuture;
import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.MemberAddRequest;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberListResponse;
import io.etcd.jetcd.api.MemberRemoveRequest;
import io.etcd.jetcd.api.MoveLeaderRequest;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.etcdpilot.operator.model.ClusterNames;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link EtcdObserver} and {@link EtcdAdmin} over etcd's gRPC API (jetcd's generated stubs), on channels kept per
 * member across passes ({@link EtcdChannels}): a linearizable member list, then a status call to every member in
 * parallel, each on its own member's channel.
 */
public class JetcdObserver implements EtcdObserver, EtcdAdmin, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JetcdObserver.class);
  /**
   * MemberListRequest{linearizable: true} (etcd 3.5+, field 1): the list then reflects every committed change, not a
   * lagging member's view. jetcd 0.8.5's request type predates the field; etcd 3.4 ignores it.
   */
  private static final MethodDescriptor<byte[], MemberListResponse> LINEARIZABLE_MEMBER_LIST =
      MethodDescriptor.<byte[], MemberListResponse>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(ClusterGrpc.getMemberListMethod().getFullMethodName())
          .setRequestMarshaller(RawBytes.INSTANCE)
          .setResponseMarshaller(ClusterGrpc.getMemberListMethod().getResponseMarshaller())
          .build();
  private static final byte[] LINEARIZABLE = {0x08, 0x01};

  private final Duration timeout;
  private final EtcdChannels channels;
  private final DiskLatency disks = new DiskLatency();

  public JetcdObserver(Duration timeout, EtcdChannels channels) {
    this.timeout = timeout;
    this.channels = channels;
  }

  public JetcdObserver(Duration timeout) {
    this(timeout, new EtcdChannels());
  }

  public JetcdObserver() {
    this(Duration.ofSeconds(3));
  }

  public EtcdChannels channels() {
    return channels;
  }

  @Override
  public ClusterObservation observe(EtcdConnection connection, List<String> clientUrls, MemberList mode) {
    try {
      boolean agreed = true;
      MemberListResponse list;
      if (mode == MemberList.LINEARIZABLE) {
        list = memberListFromFirstToAnswer(connection, clientUrls);
      } else {
        List<MemberListResponse> all = memberListsFromAll(connection, clientUrls);
        Optional<MemberListResponse> majority = MemberListAgreement.majority(all, JetcdObserver::signature,
            r -> (int) r.getMembersList().stream().filter(m -> !m.getIsLearner()).count());
        agreed = majority.isPresent();
        list = majority.orElse(all.get(0));
      }
      List<ListenableFuture<StatusResponse>> statuses = new ArrayList<>();
      Set<String> inUse = new HashSet<>(clientUrls);
      for (Member m : list.getMembersList()) {
        if (m.getClientURLsCount() == 0) {
          statuses.add(null);
          continue;
        }
        inUse.add(m.getClientURLs(0));
        statuses.add(MaintenanceGrpc.newFutureStub(channels.channel(connection, m.getClientURLs(0)))
            .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).status(StatusRequest.getDefaultInstance()));
      }
      List<ObservedMember> members = new ArrayList<>();
      for (int i = 0; i < list.getMembersCount(); i++) {
        ObservedMember member = observed(list.getMembers(i), statuses.get(i));
        if (statuses.get(i) != null && !member.reachable()) {
          channels.unreachable(connection.clusterKey(), list.getMembers(i).getClientURLs(0));
        }
        members.add(member);
      }
      channels.retain(connection.clusterKey(), inUse);
      ClusterObservation seen = new ClusterObservation(true, list.getHeader().getClusterId(), members, null, agreed)
          .withAlarms(alarms(connection, members));
      seen = seen.withDiskLatency(diskLatency(members));
      return seen.alarmed(EtcdAlarm.Type.CORRUPT) ? seen.withCorruption(corruption(connection, seen)) : seen;
    } catch (Exception e) {
      String reason = rootMessage(e);
      log.debug("cluster {} not reachable: {}", connection.clusterKey(), reason);
      return ClusterObservation.unreachable(reason);
    }
  }

  private static ObservedMember observed(Member m, ListenableFuture<StatusResponse> status) {
    List<String> peers = List.copyOf(m.getPeerURLsList());
    List<String> clients = List.copyOf(m.getClientURLsList());
    if (status == null) {
      // Added but never started: no client URL to ask.
      return new ObservedMember(m.getID(), m.getName(), peers, clients, m.getIsLearner(), false, null, 0, 0, 0, 0,
          "not started");
    }
    try {
      StatusResponse s = status.get();
      return new ObservedMember(m.getID(), m.getName(), peers, clients, m.getIsLearner(), true, s.getVersion(),
          s.getDbSize(), s.getRaftIndex(), s.getRaftTerm(), s.getLeader(), null, VersionCalls.storageVersion(s),
          VersionCalls.downgradeTarget(s), MaintenanceCalls.dbSizeInUse(s), s.getHeader().getRevision());
    } catch (Exception e) {
      return new ObservedMember(m.getID(), m.getName(), peers, clients, m.getIsLearner(), false, null, 0, 0, 0, 0,
          rootMessage(e));
    }
  }

  /** The alarms, from the first member that answers; none when no member does (said in the log). */
  private List<EtcdAlarm> alarms(EtcdConnection connection, List<ObservedMember> members) {
    List<String> urls = members.stream().filter(ObservedMember::reachable).map(m -> m.clientUrls().get(0)).toList();
    try {
      return onAnyMember(connection, urls, ch -> MaintenanceCalls.alarms(ch, timeout));
    } catch (Exception e) {
      log.debug("alarms of {} not read: {}", connection.clusterKey(), rootMessage(e));
      return List.of();
    }
  }

  /** Each answering member's WAL fsync p99, from its metrics port (same host as its client URL). */
  private Map<Long, Double> diskLatency(List<ObservedMember> members) {
    Map<Long, Double> out = new HashMap<>();
    for (ObservedMember m : members) {
      if (!m.reachable() || m.clientUrls().isEmpty()) continue;
      URI client = URI.create(m.clientUrls().get(0));
      // Plain http on the metrics port, where the operator's flags put it.
      double p99 = disks.p99Millis("http://" + client.getHost() + ":" + ClusterNames.METRICS_PORT + "/metrics");
      if (!Double.isNaN(p99)) out.put(m.id(), p99);
    }
    return out;
  }

  /** Who differs, from every reachable voter's hash (asked only while CORRUPT is raised). */
  private Corruption corruption(EtcdConnection connection, ClusterObservation seen) {
    List<Corruption.Hash> hashes = new ArrayList<>();
    for (ObservedMember m : seen.members()) {
      if (m.learner() || !m.reachable()) continue;
      try {
        var h = MaintenanceCalls.hashKv(channels.channel(connection, m.clientUrls().get(0)), timeout.multipliedBy(3));
        hashes.add(new Corruption.Hash(m.id(), h.getHeader().getRevision(), h.getCompactRevision(),
            Integer.toUnsignedLong(h.getHash())));
      } catch (Exception e) {
        log.debug("hash of {} not read: {}", m.name(), rootMessage(e));
      }
    }
    Set<Long> voters = new HashSet<>();
    seen.members().stream().filter(m -> !m.learner()).forEach(m -> voters.add(m.id()));
    return Corruption.judge(seen.alarms().stream().filter(a -> a.type() == EtcdAlarm.Type.CORRUPT).toList(), voters,
        hashes);
  }

  @Override
  public DbUsage defragment(EtcdConnection connection, String memberClientUrl, Duration defragTimeout)
      throws Exception {
    ManagedChannel channel = channels.channel(connection, memberClientUrl);
    MaintenanceCalls.defragment(channel, defragTimeout);
    long[] sizes = MaintenanceCalls.sizes(channel, timeout);
    return new DbUsage(sizes[0], sizes[1]);
  }

  @Override
  public long compactToCurrent(EtcdConnection connection, List<String> clientUrls) throws Exception {
    // Physical compaction of a large database takes longer than a status call.
    return onAnyMember(connection, clientUrls, ch -> MaintenanceCalls.compactToCurrent(ch, timeout.multipliedBy(20)));
  }

  @Override
  public void disarm(EtcdConnection connection, List<String> clientUrls, EtcdAlarm alarm) throws Exception {
    onAnyMember(connection, clientUrls, ch -> {
      MaintenanceCalls.disarm(ch, alarm, timeout.multipliedBy(3));
      return null;
    });
  }

  @Override
  public void moveLeader(EtcdConnection connection, String leaderClientUrl, long targetMemberId) throws Exception {
    MaintenanceGrpc.newBlockingStub(channels.channel(connection, leaderClientUrl))
        .withDeadlineAfter(timeout.toMillis() * 3, TimeUnit.MILLISECONDS)
        .moveLeader(MoveLeaderRequest.newBuilder().setTargetID(targetMemberId).build());
  }

  @Override
  public long addLearner(EtcdConnection connection, List<String> clientUrls, String peerUrl) throws Exception {
    return onAnyMember(connection, clientUrls, ch -> ClusterGrpc.newBlockingStub(ch)
        .withDeadlineAfter(timeout.toMillis() * 3, TimeUnit.MILLISECONDS)
        .memberAdd(MemberAddRequest.newBuilder().addPeerURLs(peerUrl).setIsLearner(true).build())).getMember().getID();
  }

  @Override
  public void removeMember(EtcdConnection connection, List<String> clientUrls, long memberId) throws Exception {
    onAnyMember(connection, clientUrls, ch -> ClusterGrpc.newBlockingStub(ch)
        .withDeadlineAfter(timeout.toMillis() * 3, TimeUnit.MILLISECONDS)
        .memberRemove(MemberRemoveRequest.newBuilder().setID(memberId).build()));
  }

  @Override
  public boolean promote(EtcdConnection connection, List<String> clientUrls, long memberId) throws Exception {
    try {
      onAnyMember(connection, clientUrls, ch -> {
        LearnerPromotion.promote(ch, memberId, timeout.multipliedBy(3));
        return true;
      });
      return true;
    } catch (LearnerPromotion.NotYet e) {
      return false;
    }
  }

  @Override
  public String downgrade(EtcdConnection connection, List<String> clientUrls, DowngradeAction action, String version)
      throws Exception {
    return onAnyMember(connection, clientUrls, ch -> VersionCalls.downgrade(ch, action, version, timeout.multipliedBy(3)));
  }

  @Override
  public boolean authEnabled(EtcdConnection connection, List<String> clientUrls) throws Exception {
    return onAnyMember(connection, clientUrls, ch -> VersionCalls.authEnabled(ch, timeout));
  }

  /**
   * The linearizable member list from whichever member answers first, asked of all at once: one that is down or has no
   * leader yet costs nothing while another answers (asked in turn, each would cost a full deadline).
   */
  private MemberListResponse memberListFromFirstToAnswer(EtcdConnection connection, List<String> clientUrls)
      throws Exception {
    if (clientUrls.isEmpty()) throw new IllegalStateException("no member to ask");
    java.util.concurrent.CompletableFuture<MemberListResponse> first = new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
    List<ListenableFuture<MemberListResponse>> calls = new ArrayList<>();
    for (String url : clientUrls) {
      ListenableFuture<MemberListResponse> call = ClientCalls.futureUnaryCall(
          channels.channel(connection, url).newCall(LINEARIZABLE_MEMBER_LIST, callOptions(1)), LINEARIZABLE);
      calls.add(call);
      com.google.common.util.concurrent.Futures.addCallback(call,
          new com.google.common.util.concurrent.FutureCallback<>() {
            @Override public void onSuccess(MemberListResponse r) { first.complete(r); }
            @Override public void onFailure(Throwable t) {
              if (unavailable(t)) channels.unreachable(connection.clusterKey(), url);
              if (failed.incrementAndGet() == clientUrls.size()) first.completeExceptionally(t);
            }
          }, com.google.common.util.concurrent.MoreExecutors.directExecutor());
    }
    try {
      return first.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } finally {
      calls.forEach(c -> c.cancel(false));
    }
  }

  /**
   * Every member's own member list, asked of all at once; waits for each to answer or time out (used where lists are
   * not linearizable, so one answer is not enough). Fails when none answers.
   */
  private List<MemberListResponse> memberListsFromAll(EtcdConnection connection, List<String> clientUrls)
      throws Exception {
    if (clientUrls.isEmpty()) throw new IllegalStateException("no member to ask");
    List<ListenableFuture<MemberListResponse>> calls = new ArrayList<>();
    for (String url : clientUrls) {
      calls.add(ClusterGrpc.newFutureStub(channels.channel(connection, url))
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).memberList(MemberListRequest.getDefaultInstance()));
    }
    List<MemberListResponse> answers = new ArrayList<>();
    Exception last = null;
    for (int i = 0; i < calls.size(); i++) {
      try {
        answers.add(calls.get(i).get());
      } catch (java.util.concurrent.ExecutionException e) {
        if (unavailable(e.getCause())) channels.unreachable(connection.clusterKey(), clientUrls.get(i));
        last = e.getCause() instanceof Exception cause ? cause : e;
      }
    }
    if (answers.isEmpty()) throw last;
    return answers;
  }

  /** Two member lists are the same when they name the same members with the same roles. */
  private static String signature(MemberListResponse r) {
    return r.getMembersList().stream().map(m -> Long.toHexString(m.getID()) + (m.getIsLearner() ? "L" : "V"))
        .sorted().reduce("", (a, b) -> a + "," + b);
  }

  private static boolean unavailable(Throwable t) {
    return t instanceof StatusRuntimeException e && (e.getStatus().getCode() == Status.Code.UNAVAILABLE
        || e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED);
  }

  private interface Call<T> {
    T on(ManagedChannel channel) throws Exception;
  }

  /**
   * Asks the members in turn until one answers: only a member that cannot be reached is skipped; any answer etcd
   * gives (a refusal included) is final.
   */
  private <T> T onAnyMember(EtcdConnection connection, List<String> clientUrls, Call<T> call) throws Exception {
    Exception last = null;
    for (String url : clientUrls) {
      try {
        return call.on(channels.channel(connection, url));
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE && e.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED) {
          throw e;
        }
        last = e;
      }
    }
    throw last == null ? new IllegalStateException("no member to ask") : last;
  }

  private CallOptions callOptions(int timeoutMultiple) {
    return CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis() * timeoutMultiple, TimeUnit.MILLISECONDS);
  }

  static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) c = c.getCause();
    String msg = c.getMessage();
    return c.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
  }

  @Override
  public void retainClusters(Set<String> clusterKeys) {
    channels.retainClusters(clusterKeys);
  }

  @Override
  public void close() {
    channels.close();
  }
}
