package io.etcdpilot.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.api.v1alpha1.EtcdOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

class EtcdFlagsTest {
  final ClusterNames names = new ClusterNames("demo", "default", "cluster.local");

  List<String> flags(String version, boolean tls, EtcdOptions options) {
    return EtcdFlags.build(EtcdVersion.parse(version), names, new TlsWiring(tls), options, "demo-1234", MemberTrust.NONE,
        BackendQuota.of(options, 8 * BackendQuota.GIB));
  }

  @Test
  void commonFlagsDeriveMemberIdentityFromThePodEnvironment() {
    assertThat(flags("3.5.16", false, null)).contains(
        "--name=$(POD_NAME)",
        "--listen-peer-urls=http://$(POD_IP):2380",
        "--listen-client-urls=http://$(POD_IP):2379",
        "--listen-metrics-urls=http://$(POD_IP):2381",
        "--initial-advertise-peer-urls=http://$(POD_NAME).demo-peer.default.svc.cluster.local:2380",
        "--advertise-client-urls=http://$(POD_NAME).demo-peer.default.svc.cluster.local:2379",
        "--initial-cluster=$(INITIAL_CLUSTER)",
        "--initial-cluster-state=$(INITIAL_CLUSTER_STATE)",
        "--initial-cluster-token=demo-1234",
        "--strict-reconfig-check=true",
        "--auto-compaction-mode=periodic",
        "--auto-compaction-retention=1h");
  }

  @Test
  void version34TurnsOffV2AndPicksZap() {
    assertThat(flags("3.4.23", false, null))
        .contains("--logger=zap", "--enable-v2=false", "--experimental-initial-corrupt-check=true",
            "--experimental-corrupt-check-time=5m")
        .noneMatch(f -> f.startsWith("--feature-gates") || f.contains("compact-hash") || f.contains("defrag"));
  }

  @Test
  void version35ChecksCorruptionWithTheFlagsEachPatchKnows() {
    assertThat(flags("3.5.4", false, null))
        .contains("--experimental-initial-corrupt-check=true", "--experimental-corrupt-check-time=5m")
        .noneMatch(f -> f.contains("compact-hash") || f.contains("defrag") || f.startsWith("--feature-gates")
            || f.startsWith("--enable-v2") || f.startsWith("--logger"));
    assertThat(flags("3.5.11", false, null))
        .contains("--experimental-compact-hash-check-enabled=true", "--experimental-compact-hash-check-time=5m")
        .noneMatch(f -> f.contains("defrag"));
    assertThat(flags("3.5.35", false, null)).contains("--experimental-stop-grpc-service-on-defrag=true");
  }

  @Test
  void version36AndLaterUseFeatureGatesAndTheRenamedIntervals() {
    for (String v : List.of("3.6.5", "3.7.3")) {
      List<String> f = flags(v, false, null);
      assertThat(f).contains("--feature-gates=InitialCorruptCheck=true,CompactHashCheck=true,StopGRPCServiceOnDefrag=true",
          "--corrupt-check-time=5m", "--compact-hash-check-time=5m");
      assertThat(f).noneMatch(s -> s.startsWith("--experimental-") || s.startsWith("--enable-v2"));
    }
  }

  @Test
  void theQuotaIsAlwaysGivenDerivedFromTheVolumeUnlessSet() {
    assertThat(flags("3.5.35", false, null)).contains("--quota-backend-bytes=" + (8L << 30) / 100 * 80);
  }

  @Test
  void oneSwitchWiresSchemeAndCertificatesTogether() {
    List<String> on = flags("3.5.16", true, null);
    assertThat(on).contains("--listen-client-urls=https://$(POD_IP):2379", "--client-cert-auth=true",
        "--peer-client-cert-auth=true", "--cert-file=" + TlsWiring.SERVER_CERT, "--peer-trusted-ca-file=" + TlsWiring.TRUSTED_CA);
    assertThat(on).filteredOn(s -> s.contains("://") && !s.startsWith("--listen-metrics")).allMatch(s -> s.contains("https://"));
    assertThat(on).contains("--listen-metrics-urls=http://$(POD_IP):2381");
    assertThat(on).noneMatch(f -> f.startsWith("--peer-cert-allowed-hostname"));
    List<String> off = flags("3.5.16", false, null);
    assertThat(off).noneMatch(s -> s.contains("https://") || s.contains("cert"));
  }

  @Test
  void typedOptionsBecomeFlags() {
    EtcdOptions o = new EtcdOptions();
    o.setQuotaBackendBytes(4L << 30);
    o.setAutoCompactionMode(EtcdOptions.AutoCompactionMode.revision);
    o.setAutoCompactionRetention("1000");
    o.setSnapshotCount(5000L);
    o.setHeartbeatIntervalMillis(200);
    o.setElectionTimeoutMillis(2000);
    assertThat(flags("3.5.16", false, o)).contains("--quota-backend-bytes=4294967296", "--auto-compaction-mode=revision",
        "--auto-compaction-retention=1000", "--snapshot-count=5000", "--heartbeat-interval=200", "--election-timeout=2000");
  }

  @Test
  void aPeerNameRestrictsThePeerPortToCertificatesThatCarryIt() {
    List<String> f = EtcdFlags.build(EtcdVersion.parse("3.6.16"), names, new TlsWiring(true), null, "demo-1234",
        new MemberTrust("h", names.peerIdentity()), BackendQuota.GIB);
    assertThat(f).contains("--peer-cert-allowed-hostname=demo-peer.default.svc.cluster.local", "--peer-client-cert-auth=true")
        .noneMatch(a -> a.startsWith("--client-cert-allowed-hostname"));
    assertThat(EtcdFlags.build(EtcdVersion.parse("3.6.16"), names, new TlsWiring(false), null, "demo-1234",
        new MemberTrust("h", names.peerIdentity()), BackendQuota.GIB)).noneMatch(a -> a.contains("cert"));
  }

  @Test
  void aClientIdentityRestrictsTheClientPortToCertificatesThatCarryIt() {
    List<String> f = EtcdFlags.build(EtcdVersion.parse("3.5.35"), names, new TlsWiring(true), null, "demo-1234",
        new MemberTrust("h", names.peerIdentity(), names.clientIdentity()), BackendQuota.GIB);
    assertThat(f).contains("--client-cert-allowed-hostname=demo-client-identity.default.svc.cluster.local",
        "--client-cert-auth=true");
  }
}
