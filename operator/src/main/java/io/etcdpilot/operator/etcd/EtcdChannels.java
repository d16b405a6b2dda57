package io.etcdpilot.operator.etcd;

import io.etcdpilot.operator.pki.Pem;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The operator's connections to etcd: one gRPC channel per member of each cluster, kept across passes (a TLS
 * handshake per member when the channel is first used, not per call). A cluster's channels are rebuilt when its
 * trust bundle or the operator's client certificate changes, a member's when it leaves, all when the operator stops.
 */
public final class EtcdChannels implements AutoCloseable {
  private final Map<String, ClusterChannels> clusters = new HashMap<>();
  private final AtomicLong opened = new AtomicLong();

  private static final class ClusterChannels {
    final String credentials;
    final Map<String, ManagedChannel> byUrl = new HashMap<>();

    ClusterChannels(String credentials) {
      this.credentials = credentials;
    }
  }

  /** The channel to the member at {@code clientUrl}, opened on first use. */
  public synchronized ManagedChannel channel(EtcdConnection connection, String clientUrl) throws Exception {
    String credentials = fingerprint(connection);
    ClusterChannels cluster = clusters.get(connection.clusterKey());
    if (cluster == null || !cluster.credentials.equals(credentials)) {
      if (cluster != null) shutdown(cluster.byUrl.values());
      cluster = new ClusterChannels(credentials);
      clusters.put(connection.clusterKey(), cluster);
    }
    ManagedChannel channel = cluster.byUrl.get(clientUrl);
    if (channel == null || channel.isShutdown()) {
      channel = open(connection, clientUrl);
      cluster.byUrl.put(clientUrl, channel);
    }
    return channel;
  }

  /**
   * Drops the channel to a member that could not be reached. gRPC would back off exponentially (up to two minutes)
   * after a failed name lookup or connect, so a member whose pod did not exist a moment ago would be seen that much
   * later; the operator paces its own retries, and the next call opens a fresh channel. A reachable member's channel
   * is never dropped, so steady state opens no connections.
   */
  public synchronized void unreachable(String clusterKey, String clientUrl) {
    ClusterChannels cluster = clusters.get(clusterKey);
    ManagedChannel channel = cluster == null ? null : cluster.byUrl.get(clientUrl);
    if (channel == null || channel.getState(false) == io.grpc.ConnectivityState.READY) return;
    cluster.byUrl.remove(clientUrl);
    channel.shutdownNow();
  }

  /** Closes the channels of a cluster's members other than {@code current} (members that left, old URLs). */
  public synchronized void retain(String clusterKey, Collection<String> current) {
    ClusterChannels cluster = clusters.get(clusterKey);
    if (cluster == null) return;
    var gone = cluster.byUrl.entrySet().stream().filter(e -> !current.contains(e.getKey())).toList();
    gone.forEach(e -> cluster.byUrl.remove(e.getKey()));
    shutdown(gone.stream().map(Map.Entry::getValue).toList());
  }

  /** Closes every channel of the clusters not named (they were deleted). */
  public synchronized void retainClusters(java.util.Set<String> clusterKeys) {
    var gone = clusters.keySet().stream().filter(k -> !clusterKeys.contains(k)).toList();
    for (String k : gone) shutdown(clusters.remove(k).byUrl.values());
  }

  /** Channels opened since start: each is one TCP connection and, with TLS, one handshake. */
  public long opened() {
    return opened.get();
  }

  private ManagedChannel open(EtcdConnection connection, String clientUrl) throws Exception {
    opened.incrementAndGet();
    return build(connection, clientUrl);
  }

  /** A channel of its own, not kept: for a long stream (a snapshot) that must not share a channel's lifetime. */
  public static ManagedChannel dedicated(EtcdConnection connection, String clientUrl) throws Exception {
    return build(connection, clientUrl);
  }

  private static ManagedChannel build(EtcdConnection connection, String clientUrl) throws Exception {
    URI uri = URI.create(clientUrl);
    NettyChannelBuilder b = NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort())
        // Idle members are not kept awake; the channel reconnects on the next call.
        .idleTimeout(5, TimeUnit.MINUTES);
    if (connection.tls().enabled()) {
      X509Certificate[] trust = Pem.certificates(connection.trustBundlePem()).toArray(X509Certificate[]::new);
      b.sslContext(GrpcSslContexts.forClient().trustManager(trust)
          .keyManager(Pem.privateKey(connection.clientKeyPem()), Pem.certificate(connection.clientCertPem())).build());
    } else {
      b.usePlaintext();
    }
    return b.build();
  }

  private static String fingerprint(EtcdConnection c) throws Exception {
    MessageDigest d = MessageDigest.getInstance("SHA-256");
    for (String part : new String[] {String.valueOf(c.tls().enabled()), c.trustBundlePem(), c.clientCertPem(), c.clientKeyPem()}) {
      d.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0);
    }
    return HexFormat.of().formatHex(d.digest());
  }

  private static void shutdown(Collection<ManagedChannel> channels) {
    channels.forEach(ManagedChannel::shutdown);
  }

  @Override
  public synchronized void close() {
    clusters.values().forEach(c -> shutdown(c.byUrl.values()));
    clusters.clear();
  }
}
