package io.etcdpilot.operator.model;

import io.etcdpilot.operator.api.v1alpha1.EtcdOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the etcd command line for a member pod. Member-specific values come from the pod's environment
 * ($(POD_NAME), $(POD_IP), and the cluster-state ConfigMap), so one template serves every ordinal.
 * Flags differ per minor version: 3.4 still needs v2 turned off and zap chosen, 3.6 replaced the
 * experimental corruption check flag with a feature gate.
 */
public final class EtcdFlags {
  public static final String DATA_DIR = "/var/lib/etcd/data";
  public static final String ENV_POD_NAME = "POD_NAME";
  public static final String ENV_POD_IP = "POD_IP";
  public static final String ENV_INITIAL_CLUSTER = "INITIAL_CLUSTER";
  public static final String ENV_INITIAL_CLUSTER_STATE = "INITIAL_CLUSTER_STATE";

  private EtcdFlags() {}

  /** Where a member finds its PEM files. */
  public record TlsFiles(String serverCert, String serverKey, String peerCert, String peerKey, String trustedCa) {
    /** In a member pod: the member Secret's volume, each member picking its own files by pod name. */
    public static final TlsFiles MOUNTED = new TlsFiles(TlsWiring.SERVER_CERT, TlsWiring.SERVER_KEY, TlsWiring.PEER_CERT,
        TlsWiring.PEER_KEY, TlsWiring.TRUSTED_CA);
  }

  /**
   * Mutual TLS on both planes: a client certificate is required on each port. With a peer name set, the peer port
   * also requires it in the certificate's SANs, so certificates for clients (same CA) are refused there.
   */
  public static List<String> mutualTls(TlsFiles files, String peerAllowedHostname, String clientAllowedHostname) {
    List<String> f = new ArrayList<>(List.of(
        "--cert-file=" + files.serverCert(),
        "--key-file=" + files.serverKey(),
        "--trusted-ca-file=" + files.trustedCa(),
        "--client-cert-auth=true",
        "--peer-cert-file=" + files.peerCert(),
        "--peer-key-file=" + files.peerKey(),
        "--peer-trusted-ca-file=" + files.trustedCa(),
        "--peer-client-cert-auth=true"));
    if (peerAllowedHostname != null) f.add("--peer-cert-allowed-hostname=" + peerAllowedHostname);
    if (clientAllowedHostname != null) f.add("--client-cert-allowed-hostname=" + clientAllowedHostname);
    return f;
  }

  /** How often members compare their data with each other's (the periodic and the compaction hash checks). */
  public static final String CORRUPT_CHECK_INTERVAL = "5m";

  /**
   * Corruption checks and defragmentation behaviour, by the names each version knows (from etcd's changelogs and
   * flag sets): a member checks its data against its peers' before it serves (initial check; it refuses to start
   * when they differ) and every {@link #CORRUPT_CHECK_INTERVAL} (the periodic check, and from 3.5.5 the compaction
   * hash check), raising the CORRUPT alarm; from 3.5.14 a member stops serving gRPC while it defragments, so clients
   * go to another member instead of waiting on it.
   */
  public static List<String> integrity(EtcdVersion version) {
    List<String> f = new ArrayList<>();
    if (version.isMinor(3, 4)) {
      f.add("--logger=zap");
      f.add("--enable-v2=false");
      f.add("--experimental-initial-corrupt-check=true");
      f.add("--experimental-corrupt-check-time=" + CORRUPT_CHECK_INTERVAL);
    } else if (version.isMinor(3, 5)) {
      f.add("--experimental-initial-corrupt-check=true");
      f.add("--experimental-corrupt-check-time=" + CORRUPT_CHECK_INTERVAL);
      if (version.patch() >= 5) {
        f.add("--experimental-compact-hash-check-enabled=true");
        f.add("--experimental-compact-hash-check-time=" + CORRUPT_CHECK_INTERVAL);
      }
      if (version.patch() >= 14) f.add("--experimental-stop-grpc-service-on-defrag=true");
    } else {
      // 3.6 turned the experimental switches into feature gates and renamed the intervals; 3.7 knows only these.
      f.add("--feature-gates=InitialCorruptCheck=true,CompactHashCheck=true,StopGRPCServiceOnDefrag=true");
      f.add("--corrupt-check-time=" + CORRUPT_CHECK_INTERVAL);
      f.add("--compact-hash-check-time=" + CORRUPT_CHECK_INTERVAL);
    }
    return f;
  }

  /**
   * @param trust the names required on peer and client certificates (null fields: any from the trusted CAs)
   * @param quotaBytes the backend quota ({@link BackendQuota})
   */
  public static List<String> build(EtcdVersion version, ClusterNames names, TlsWiring tls, EtcdOptions options,
      String clusterToken, MemberTrust trust, long quotaBytes) {
    String scheme = tls.scheme();
    String host = "$(" + ENV_POD_NAME + ")." + names.peerService() + "." + names.namespace() + ".svc."
        + names.clusterDomain();
    List<String> f = new ArrayList<>();
    f.add("--name=$(" + ENV_POD_NAME + ")");
    f.add("--data-dir=" + DATA_DIR);
    f.add("--listen-peer-urls=" + scheme + "://$(" + ENV_POD_IP + "):" + ClusterNames.PEER_PORT);
    f.add("--listen-client-urls=" + scheme + "://$(" + ENV_POD_IP + "):" + ClusterNames.CLIENT_PORT);
    // Health and metrics stay on plain http on their own port so probes need no client certificate.
    f.add("--listen-metrics-urls=http://$(" + ENV_POD_IP + "):" + ClusterNames.METRICS_PORT);
    f.add("--initial-advertise-peer-urls=" + scheme + "://" + host + ":" + ClusterNames.PEER_PORT);
    f.add("--advertise-client-urls=" + scheme + "://" + host + ":" + ClusterNames.CLIENT_PORT);
    f.add("--initial-cluster=$(" + ENV_INITIAL_CLUSTER + ")");
    f.add("--initial-cluster-state=$(" + ENV_INITIAL_CLUSTER_STATE + ")");
    f.add("--initial-cluster-token=" + clusterToken);
    f.add("--strict-reconfig-check=true");
    if (tls.enabled()) f.addAll(mutualTls(TlsFiles.MOUNTED, trust.peerAllowedHostname(), trust.clientAllowedHostname()));
    EtcdOptions o = options == null ? new EtcdOptions() : options;
    f.add("--auto-compaction-mode=" + (o.getAutoCompactionMode() == null ? "periodic" : o.getAutoCompactionMode().name()));
    f.add("--auto-compaction-retention=" + (o.getAutoCompactionRetention() == null ? "1h" : o.getAutoCompactionRetention()));
    f.add("--quota-backend-bytes=" + quotaBytes);
    if (o.getSnapshotCount() != null) f.add("--snapshot-count=" + o.getSnapshotCount());
    if (o.getHeartbeatIntervalMillis() != null) f.add("--heartbeat-interval=" + o.getHeartbeatIntervalMillis());
    if (o.getElectionTimeoutMillis() != null) f.add("--election-timeout=" + o.getElectionTimeoutMillis());

    f.addAll(integrity(version));
    return f;
  }
}
