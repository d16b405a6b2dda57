package io.etcdpilot.operator.snapshot;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.api.v1alpha1.MemberStatus;
import io.etcdpilot.operator.api.v1alpha1.S3Destination;
import io.etcdpilot.operator.api.v1alpha1.SnapshotDestination;
import io.etcdpilot.operator.api.v1alpha1.SnapshotsSpec;
import io.etcdpilot.operator.etcd.EtcdChannels;
import io.etcdpilot.operator.etcd.EtcdConnection;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.Quorum;
import io.etcdpilot.operator.model.TlsWiring;
import io.etcdpilot.operator.pki.CertificateManager;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Takes one snapshot of a cluster: resolves where it goes and how (destination, credentials, compression, the
 * encryption key), picks the member (a healthy follower by preference, never a learner, only while the cluster has
 * quorum) and streams it. Every failure is a {@link Refused} whose message says what to fix, naming the field.
 */
public final class SnapshotTaker {
  private final KubernetesClient client;
  private final String clusterDomain;

  public SnapshotTaker(KubernetesClient client, String clusterDomain) {
    this.client = client;
    this.clusterDomain = clusterDomain;
  }

  /** Why the snapshot cannot be taken. */
  public static final class Refused extends Exception {
    public Refused(String message) {
      super(message);
    }
  }

  /** What was taken, and where it is. */
  public record Taken(SnapshotStreamer.Stored stored, String member, String etcdVersion, String location) {}

  public Taken take(EtcdSnapshot snapshot, EtcdCluster cluster, String time) throws Exception {
    String ns = snapshot.getMetadata().getNamespace();
    S3Destination d = destination(snapshot, cluster);
    SnapshotsSpec settings = cluster.getSpec().getSnapshots();
    String compression = settings == null || settings.getCompression() == null ? "zstd" : settings.getCompression();
    SnapshotEncryption encryption = settings == null || settings.getEncryption() == null ? null
        : encryption(ns, settings.getEncryption().getKeySecretName());
    MemberStatus member = member(cluster);
    ClusterNames names = new ClusterNames(cluster.getMetadata().getName(), ns, clusterDomain);
    TlsWiring tls = TlsWiring.of(cluster.getSpec());
    EtcdConnection connection = connection(names, tls, ns);
    String dataKey = ObjectStore.dataKey(d, snapshot.getMetadata().getName(), compression, encryption != null);
    try (S3Client s3 = s3(d, ns)) {
      ManagedChannel channel = EtcdChannels.dedicated(connection, names.clientUrl(member.getName(), tls));
      try {
        SnapshotStreamer.Stored stored = SnapshotStreamer.stream(channel, new SnapshotStreamer.Target(s3, d.getBucket(),
            dataKey, ObjectStore.manifestKey(d, snapshot.getMetadata().getName()), compression, encryption),
            new SnapshotStreamer.Origin(names.cluster(), ns, cluster.getStatus().getClusterID(), member.getVersion(),
                member.getName(), time));
        return new Taken(stored, member.getName(), member.getVersion(), "s3://" + d.getBucket() + "/" + dataKey);
      } finally {
        channel.shutdownNow();
      }
    } catch (software.amazon.awssdk.core.exception.SdkException e) {
      throw new Refused("the object store at " + (d.getEndpoint() == null ? "AWS" : d.getEndpoint()) + " refused: "
          + e.getMessage());
    }
  }

  /** The snapshot's own destination, else the cluster's. */
  public static S3Destination destination(EtcdSnapshot snapshot, EtcdCluster cluster) throws Refused {
    SnapshotDestination own = snapshot.getSpec().getDestination();
    SnapshotDestination fallback = cluster.getSpec().getSnapshots() == null ? null
        : cluster.getSpec().getSnapshots().getDestination();
    SnapshotDestination d = own != null ? own : fallback;
    if (d == null || d.getS3() == null) {
      throw new Refused("spec.destination: none given, and EtcdCluster " + cluster.getMetadata().getName()
          + " has no spec.snapshots.destination");
    }
    return d.getS3();
  }

  /**
   * Deletes a stored snapshot's objects, data then manifest (deleting what is already gone succeeds: retention and a
   * record's deletion may both get there).
   *
   * @param d where it was stored ({@code status.storedIn}, else as resolved now)
   */
  public void deleteObjects(EtcdSnapshot snapshot, S3Destination d) throws Exception {
    String prefix = "s3://" + d.getBucket() + "/";
    String location = snapshot.getStatus().getLocation();
    if (!location.startsWith(prefix)) {
      throw new Refused("status.location " + location + " is not in bucket " + d.getBucket());
    }
    try (S3Client s3 = s3(d, snapshot.getMetadata().getNamespace())) {
      s3.deleteObject(r -> r.bucket(d.getBucket()).key(location.substring(prefix.length())));
      s3.deleteObject(r -> r.bucket(d.getBucket()).key(ObjectStore.manifestKey(d, snapshot.getMetadata().getName())));
    }
  }

  /**
   * Aborts the multipart uploads an interrupted snapshot left (an operator gone mid-stream): parts a store keeps, and
   * bills, until someone aborts them.
   *
   * @return how many were aborted
   */
  public int abortUploads(EtcdSnapshot snapshot, S3Destination d) throws Exception {
    String prefix = ObjectStore.dataKeyPrefix(d, snapshot.getMetadata().getName());
    try (S3Client s3 = s3(d, snapshot.getMetadata().getNamespace())) {
      return ObjectStore.abortUploads(s3, d.getBucket(), prefix);
    }
  }

  /** Where a stored snapshot lies: as recorded when it ran, else (older records) as its spec and cluster say now. */
  public S3Destination storedIn(EtcdSnapshot snapshot) throws Refused {
    if (snapshot.getStatus() != null && snapshot.getStatus().getStoredIn() != null) return snapshot.getStatus().getStoredIn();
    String clusterName = snapshot.getSpec().getClusterName();
    EtcdCluster cluster = clusterName == null ? null
        : client.resources(EtcdCluster.class).inNamespace(snapshot.getMetadata().getNamespace()).withName(clusterName).get();
    return storedIn(snapshot, cluster);
  }

  /** As {@link #storedIn(EtcdSnapshot)}, with the snapshot's cluster at hand (null: gone). */
  public static S3Destination storedIn(EtcdSnapshot snapshot, EtcdCluster cluster) throws Refused {
    if (snapshot.getStatus() != null && snapshot.getStatus().getStoredIn() != null) return snapshot.getStatus().getStoredIn();
    if (cluster != null) return destination(snapshot, cluster);
    if (snapshot.getSpec().getDestination() == null || snapshot.getSpec().getDestination().getS3() == null) {
      throw new Refused("no destination recorded and EtcdCluster " + snapshot.getSpec().getClusterName() + " is gone");
    }
    return snapshot.getSpec().getDestination().getS3();
  }

  /** An S3 client for a destination, with the credentials (and CA) its Secrets hold. */
  public S3Client s3(S3Destination d, String ns) throws Exception {
    Map<String, String> creds = secretData(ns, d.getCredentialsSecretName(), "destination.s3.credentialsSecretName");
    if (creds.get("accessKeyID") == null || creds.get("secretAccessKey") == null) {
      throw new Refused("destination.s3.credentialsSecretName: Secret " + d.getCredentialsSecretName()
          + " needs the keys accessKeyID and secretAccessKey");
    }
    String ca = null;
    if (d.getCaSecretName() != null && !d.getCaSecretName().isBlank()) {
      ca = secretData(ns, d.getCaSecretName(), "destination.s3.caSecretName").get("ca.crt");
      if (ca == null) throw new Refused("destination.s3.caSecretName: Secret " + d.getCaSecretName() + " has no ca.crt");
    }
    return ObjectStore.client(d, new ObjectStore.Credentials(creds.get("accessKeyID"), creds.get("secretAccessKey"),
        creds.get("sessionToken")), ca);
  }

  private Map<String, String> secretData(String ns, String name, String field) throws Refused {
    if (name == null || name.isBlank()) throw new Refused(field + ": required");
    Secret s = client.secrets().inNamespace(ns).withName(name).get();
    if (s == null) throw new Refused(field + ": no Secret " + name + " in namespace " + ns);
    return CertificateManager.decode(s);
  }

  /** The cluster's keyset, created (and kept in its Secret) the first time it is needed. */
  private SnapshotEncryption encryption(String ns, String secretName) throws Exception {
    Secret s = client.secrets().inNamespace(ns).withName(secretName).get();
    if (s == null) {
      String keyset = SnapshotEncryption.newKeyset();
      client.resource(new SecretBuilder().withNewMetadata().withName(secretName).withNamespace(ns)
          .addToLabels(ClusterNames.LABEL_MANAGED_BY, ClusterNames.MANAGED_BY).endMetadata()
          .addToData(SnapshotEncryption.KEYSET_KEY, Base64.getEncoder().encodeToString(keyset.getBytes(StandardCharsets.UTF_8)))
          .build()).create();
      return SnapshotEncryption.of(keyset);
    }
    String keyset = CertificateManager.decode(s).get(SnapshotEncryption.KEYSET_KEY);
    if (keyset == null) {
      throw new Refused("spec.snapshots.encryption.keySecretName: Secret " + secretName + " has no "
          + SnapshotEncryption.KEYSET_KEY);
    }
    try {
      return SnapshotEncryption.of(keyset);
    } catch (java.security.GeneralSecurityException | RuntimeException e) {
      throw new Refused("spec.snapshots.encryption.keySecretName: Secret " + secretName + " does not hold a Tink"
          + " streaming-AEAD keyset");
    }
  }

  /** A healthy follower by preference, else the healthy leader; never a learner; only with quorum. */
  static MemberStatus member(EtcdCluster cluster) throws Refused {
    var status = cluster.getStatus();
    if (status == null || status.getMembers() == null || status.getMembers().isEmpty()) {
      throw new Refused("EtcdCluster " + cluster.getMetadata().getName() + " has no members yet");
    }
    long voters = status.getMembers().stream().filter(m -> m.getRole() != MemberStatus.Role.learner).count();
    long healthy = status.getMembers().stream()
        .filter(m -> m.getRole() != MemberStatus.Role.learner && Boolean.TRUE.equals(m.getHealthy())).count();
    if (status.getLeader() == null || healthy < Quorum.of((int) voters)) {
      throw new Refused("EtcdCluster " + cluster.getMetadata().getName() + " has no quorum (" + healthy + " of " + voters
          + " voting members healthy" + (status.getLeader() == null ? ", no leader" : "") + "): no snapshot now");
    }
    Optional<MemberStatus> pick = status.getMembers().stream()
        .filter(m -> m.getRole() != MemberStatus.Role.learner && Boolean.TRUE.equals(m.getHealthy()) && m.getName() != null)
        .min(Comparator.comparing((MemberStatus m) -> m.getRole() == MemberStatus.Role.leader ? 1 : 0)
            .thenComparing(MemberStatus::getName));
    return pick.orElseThrow(() -> new Refused("no healthy member to take the snapshot from"));
  }

  private EtcdConnection connection(ClusterNames names, TlsWiring tls, String ns) throws Refused {
    String key = ns + "/" + names.cluster() + "#snapshot";
    if (!tls.enabled()) return EtcdConnection.plain(key);
    Secret s = client.secrets().inNamespace(ns).withName(names.operatorTlsSecret()).get();
    if (s == null) throw new Refused("the operator's client certificate (" + names.operatorTlsSecret() + ") is missing");
    var d = CertificateManager.decode(s);
    return new EtcdConnection(key, tls, d.get("ca.crt"), d.get("tls.crt"), d.get("tls.key"));
  }
}
