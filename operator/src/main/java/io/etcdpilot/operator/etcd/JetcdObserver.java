package io.etcdpilot.operator.etcd;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.cluster.Member;
import io.etcd.jetcd.cluster.MemberListResponse;
import io.etcd.jetcd.maintenance.StatusResponse;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link EtcdObserver} over jetcd: one member-list call, then a status call to every member in parallel. */
public class JetcdObserver implements EtcdObserver, EtcdAdmin {
  private static final Logger log = LoggerFactory.getLogger(JetcdObserver.class);
  private final Duration timeout;

  public JetcdObserver(Duration timeout) {
    this.timeout = timeout;
  }

  public JetcdObserver() {
    this(Duration.ofSeconds(3));
  }

  @Override
  public ClusterObservation observe(EtcdConnection connection, List<String> clientUrls) {
    try (Client client = client(connection, clientUrls)) {
      MemberListResponse list = client.getClusterClient().listMember().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<CompletableFuture<ObservedMember>> statuses = new ArrayList<>();
      for (Member m : list.getMembers()) {
        statuses.add(status(client, m));
      }
      List<ObservedMember> members = new ArrayList<>();
      for (CompletableFuture<ObservedMember> f : statuses) {
        members.add(f.join());
      }
      return new ClusterObservation(true, list.getHeader().getClusterId(), members, null);
    } catch (Exception e) {
      String reason = rootMessage(e);
      log.debug("cluster {} not reachable: {}", connection.clusterKey(), reason);
      return ClusterObservation.unreachable(reason);
    }
  }

  @Override
  public void moveLeader(EtcdConnection connection, String leaderClientUrl, long targetMemberId) throws Exception {
    try (Client client = client(connection, List.of(leaderClientUrl))) {
      client.getMaintenanceClient().moveLeader(targetMemberId).get(timeout.toMillis() * 3, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public long addLearner(EtcdConnection connection, List<String> clientUrls, String peerUrl) throws Exception {
    try (Client client = client(connection, clientUrls)) {
      return client.getClusterClient().addMember(List.of(URI.create(peerUrl)), true)
          .get(timeout.toMillis() * 3, TimeUnit.MILLISECONDS).getMember().getId();
    }
  }

  @Override
  public void removeMember(EtcdConnection connection, List<String> clientUrls, long memberId) throws Exception {
    try (Client client = client(connection, clientUrls)) {
      client.getClusterClient().removeMember(memberId).get(timeout.toMillis() * 3, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public boolean promote(EtcdConnection connection, List<String> clientUrls, long memberId) throws Exception {
    Exception last = null;
    for (String url : clientUrls) {
      try {
        LearnerPromotion.promote(connection, url, memberId, timeout.multipliedBy(3));
        return true;
      } catch (LearnerPromotion.NotYet e) {
        return false;
      } catch (Exception e) {
        last = e;
      }
    }
    throw last == null ? new IllegalStateException("no member to ask") : last;
  }

  /** A jetcd client that speaks what the members listen for: plain, or mutual TLS with the operator's certificate. */
  public Client client(EtcdConnection connection, List<String> clientUrls) throws Exception {
    var builder = Client.builder()
        .endpoints(clientUrls.stream().map(URI::create).toArray(URI[]::new))
        .connectTimeout(timeout)
        .retryMaxDuration(timeout);
    if (connection.tls().enabled()) {
      var trust = io.etcdpilot.operator.pki.Pem.certificates(connection.trustBundlePem()).toArray(java.security.cert.X509Certificate[]::new);
      var cert = io.etcdpilot.operator.pki.Pem.certificate(connection.clientCertPem());
      var key = io.etcdpilot.operator.pki.Pem.privateKey(connection.clientKeyPem());
      builder.sslContext(b -> b.trustManager(trust).keyManager(key, cert));
    }
    return builder.build();
  }

  private CompletableFuture<ObservedMember> status(Client client, Member m) {
    List<String> peers = m.getPeerURIs().stream().map(URI::toString).toList();
    List<String> clients = m.getClientURIs().stream().map(URI::toString).toList();
    if (clients.isEmpty()) {
      // Added but never started: no client URL to ask.
      return CompletableFuture.completedFuture(new ObservedMember(m.getId(), m.getName(), peers, clients, m.isLearner(),
          false, null, 0, 0, 0, 0, "not started"));
    }
    return client.getMaintenanceClient().statusMember(clients.get(0))
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((StatusResponse s, Throwable t) -> t != null
            ? new ObservedMember(m.getId(), m.getName(), peers, clients, m.isLearner(), false, null, 0, 0, 0, 0,
                rootMessage(t))
            : new ObservedMember(m.getId(), m.getName(), peers, clients, m.isLearner(), true, s.getVersion(),
                s.getDbSize(), s.getRaftIndex(), s.getRaftTerm(), s.getLeader(), null));
  }

  static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) c = c.getCause();
    String msg = c.getMessage();
    return c.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
  }
}
