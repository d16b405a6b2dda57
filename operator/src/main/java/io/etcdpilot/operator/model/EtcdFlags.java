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

  /** @param trust the names required on peer and client certificates (null fields: any from the trusted CAs) */
  public static List<String> build(EtcdVersion version, ClusterNames names, TlsWiring tls, EtcdOptions options,
      String clusterToken, MemberTrust trust) {
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
    if (o.getQuotaBackendBytes() != null && o.getQuotaBackendBytes() > 0) {
      f.add("--quota-backend-bytes=" + o.getQuotaBackendBytes());
    }
    if (o.getSnapshotCount() != null) f.add("--snapshot-count=" + o.getSnapshotCount());
    if (o.getHeartbeatIntervalMillis() != null) f.add("--heartbeat-interval=" + o.getHeartbeatIntervalMillis());
    if (o.getElectionTimeoutMillis() != null) f.add("--election-timeout=" + o.getElectionTimeoutMillis());

    if (version.isMinor(3, 4)) {
      f.add("--logger=zap");
      f.add("--enable-v2=false");
      f.add("--experimental-initial-corrupt-check=true");
    } else if (version.isMinor(3, 5)) {
      f.add("--experimental-initial-corrupt-check=true");
    } else {
      f.add("--feature-gates=InitialCorruptCheck=true");
    }
    return f;
  }
}
