package io.etcdpilot.operator.snapshot;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.api.v1alpha1.MemberStatus;
import io.etcdpilot.operator.api.v1alpha1.S3Destination;
import io.etcdpilot.operator.api.v1alpha1.SnapshotDestination;
import io.etcdpilot.operator.api.v1alpha1.SnapshotsSpec;
import io.etcdpilot.operator.etcd.EtcdChannels;
import io.etcdpilot.operator.etcd.EtcdConnection;
import io.etcdpilot.operator.etcd.EtcdObserver;
import io.etcdpilot.operator.etcd.ObservedMember;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.RestoreSource;
import io.etcdpilot.operator.model.TlsWiring;
import io.etcdpilot.operator.pki.CertificateManager;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Takes one snapshot of a cluster: resolves where it goes and how (destination under the cluster's policy and the
 * operator's endpoint policy, credentials, compression, the encryption key), picks the member from an observation made
 * now (a caught-up follower by preference, never a learner, only with quorum), refuses to replace any object, and
 * streams it, trying a second member when the first fails before anything is stored. Every failure is a
 * {@link Refused} whose message says what to fix, naming the field.
 */
public final class SnapshotTaker {
  /** The label a Secret needs before an EtcdSnapshot's own destination may use it as credentials. */
  public static final String CREDENTIALS_LABEL = "etcdpilot.io/snapshot-credentials";

  private final KubernetesClient client;
  private final String clusterDomain;
  private final EtcdObserver observer;
  private final EndpointPolicy endpoints;

  public SnapshotTaker(KubernetesClient client, String clusterDomain, EtcdObserver observer, EndpointPolicy endpoints) {
    this.client = client;
    this.clusterDomain = clusterDomain;
    this.observer = observer;
    this.endpoints = endpoints;
  }

  /** Why the snapshot cannot be taken. */
  public static final class Refused extends Exception {
    public Refused(String message) {
      super(message);
    }
  }

  /** What was taken, and where it is. */
  public record Taken(SnapshotStreamer.Stored stored, String member, String etcdVersion, String location,
      Long encryptionKeyId, String encryptionKeySecretName, boolean tls) {}

  public Taken take(EtcdSnapshot snapshot, EtcdCluster cluster, String time) throws Exception {
    String ns = snapshot.getMetadata().getNamespace();
    S3Destination d = destination(snapshot, cluster);
    boolean ownDestination = snapshot.getSpec().getDestination() != null;
    String field = ownDestination ? "spec.destination.s3.endpoint" : "EtcdCluster " + cluster.getMetadata().getName()
        + " spec.snapshots.destination.s3.endpoint";
    var refused = endpoints.refusalAfterLookup(d.getEndpoint());
    if (refused.isPresent()) throw new Refused(field + ": " + refused.get());
    SnapshotsSpec settings = cluster.getSpec().getSnapshots();
    String compression = settings == null || settings.getCompression() == null ? "zstd" : settings.getCompression();
    String keySecret = settings == null || settings.getEncryption() == null ? null : settings.getEncryption().getKeySecretName();
    SnapshotEncryption encryption = keySecret == null ? null : encryption(ns, keySecret, cluster);
    ClusterNames names = new ClusterNames(cluster.getMetadata().getName(), ns, clusterDomain);
    TlsWiring tls = TlsWiring.of(cluster.getSpec());
    EtcdConnection connection = connection(names, tls, ns);
    SnapshotKeys keys = SnapshotKeys.of(snapshot, cluster);
    String dataKey = keys.dataKey(d, compression, encryption != null);
    String manifestKey = keys.manifestKey(d);
    try (S3Client s3 = s3(d, ns, ownDestination)) {
      for (String key : List.of(dataKey, manifestKey)) {
        if (ObjectStore.exists(s3, d.getBucket(), key)) {
          throw new Refused("an object already exists at s3://" + d.getBucket() + "/" + key + ": a snapshot never"
              + " replaces one");
        }
      }
      String from = snapshot.getSpec() == null ? null : snapshot.getSpec().getMember();
      // From a named member, without quorum: each member's own list and status (no linearizable answer to wait for).
      List<ObservedMember> candidates = SnapshotSource.candidates(names.cluster(),
          observer.observe(connection, clientUrls(cluster, names, tls), from == null
              ? io.etcdpilot.operator.etcd.EtcdObserver.MemberList.LINEARIZABLE
              : io.etcdpilot.operator.etcd.EtcdObserver.MemberList.MAJORITY_AGREEING), from);
      List<String> tried = new ArrayList<>();
      for (ObservedMember member : candidates.subList(0, Math.min(2, candidates.size()))) {
        tried.add(member.name());
        ManagedChannel channel = EtcdChannels.dedicated(connection, names.clientUrl(member.name(), tls));
        try {
          SnapshotStreamer.Stored stored = SnapshotStreamer.stream(channel, new SnapshotStreamer.Target(s3, d.getBucket(),
              dataKey, manifestKey, compression, encryption), new SnapshotStreamer.Origin(names.cluster(), ns,
              cluster.getMetadata().getUid(), cluster.getStatus() == null ? null : cluster.getStatus().getClusterID(),
              snapshot.getMetadata().getUid(), member.version(), member.name(), time, tls.enabled()));
          return new Taken(stored, member.name(), member.version(), "s3://" + d.getBucket() + "/" + dataKey,
              encryption == null ? null : encryption.keyId(), keySecret, tls.enabled());
        } catch (StatusRuntimeException e) {
          // The member failed (it went down, or stopped answering): its upload is aborted, nothing stored. Once more,
          // on another member, before giving up.
          if (tried.size() == Math.min(2, candidates.size())) {
            throw new Refused("the snapshot stream failed on " + String.join(" and then ", tried) + ": "
                + e.getStatus().getCode() + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription()));
          }
        } finally {
          channel.shutdownNow();
        }
      }
      throw new Refused("no member to take the snapshot from");
    } catch (software.amazon.awssdk.core.exception.SdkException e) {
      throw new Refused("the object store at " + (d.getEndpoint() == null ? "AWS" : d.getEndpoint()) + " refused: "
          + e.getMessage());
    }
  }

  /**
   * The snapshot's own destination, when its cluster allows one, else the cluster's. An own destination needs the
   * cluster's consent: whoever may create EtcdSnapshots could otherwise send any cluster's data to a store of theirs.
   */
  public static S3Destination destination(EtcdSnapshot snapshot, EtcdCluster cluster) throws Refused {
    SnapshotsSpec settings = cluster.getSpec().getSnapshots();
    if (snapshot.getSpec().getDestination() != null
        && !(settings != null && Boolean.TRUE.equals(settings.getAllowDestinationOverride()))) {
      throw new Refused("spec.destination: EtcdCluster " + cluster.getMetadata().getName() + " takes snapshots only to"
          + " its own destination (its spec.snapshots.allowDestinationOverride is not true)");
    }
    return resolvedDestination(snapshot, cluster);
  }

  /** Where the snapshot goes or went, without the policy: its own destination, else its cluster's. */
  private static S3Destination resolvedDestination(EtcdSnapshot snapshot, EtcdCluster cluster) throws Refused {
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

  /** Client URLs of the cluster's members: those status names, else every pod of the spec's size. */
  private static List<String> clientUrls(EtcdCluster cluster, ClusterNames names, TlsWiring tls) {
    List<MemberStatus> known = cluster.getStatus() == null || cluster.getStatus().getMembers() == null ? List.of()
        : cluster.getStatus().getMembers().stream().filter(m -> m.getName() != null).toList();
    List<String> members = !known.isEmpty() ? known.stream().map(MemberStatus::getName).toList()
        : IntStream.range(0, cluster.getSpec().getReplicas() == null ? 3 : cluster.getSpec().getReplicas())
            .mapToObj(names::member).toList();
    return members.stream().map(m -> names.clientUrl(m, tls)).toList();
  }

  /**
   * Deletes a stored snapshot's objects, data then manifest, only when its manifest names the cluster asking (deleting
   * what is already gone succeeds: retention and a record's deletion may both get there).
   *
   * @param d where it was stored ({@code status.storedIn}, else as resolved now)
   * @param namespace the namespace of the record asking
   * @param cluster the name of the cluster the record names
   */
  public void deleteObjects(EtcdSnapshot snapshot, S3Destination d, String namespace, String cluster) throws Exception {
    String prefix = "s3://" + d.getBucket() + "/";
    String location = snapshot.getStatus().getLocation();
    if (!location.startsWith(prefix)) {
      throw new Refused("status.location " + location + " is not in bucket " + d.getBucket());
    }
    String dataKey = location.substring(prefix.length());
    String manifestKey = RestoreSource.manifestKeyOf(dataKey);
    try (S3Client s3 = s3(d, snapshot.getMetadata().getNamespace(), false)) {
      SnapshotManifest manifest;
      try {
        manifest = SnapshotReader.manifest(s3, d.getBucket(), manifestKey);
      } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
        manifest = null; // deleted already, or never written: only the data object may be left
      }
      if (manifest != null && (!namespace.equals(manifest.namespace()) || !cluster.equals(manifest.cluster()))) {
        throw new Refused("the manifest at s3://" + d.getBucket() + "/" + manifestKey + " names cluster "
            + manifest.namespace() + "/" + manifest.cluster() + ", not " + namespace + "/" + cluster
            + ": its objects are not this cluster's to delete");
      }
      s3.deleteObject(r -> r.bucket(d.getBucket()).key(dataKey));
      s3.deleteObject(r -> r.bucket(d.getBucket()).key(manifestKey));
    }
  }

  /**
   * Aborts the multipart uploads an interrupted snapshot left (an operator gone mid-stream): parts a store keeps, and
   * bills, until someone aborts them.
   *
   * @return how many were aborted
   */
  public int abortUploads(EtcdSnapshot snapshot, S3Destination d) throws Exception {
    String ns = snapshot.getMetadata().getNamespace();
    String folder = SnapshotKeys.clusterFolder(d, ns, snapshot.getSpec().getClusterName());
    String ending = "/" + snapshot.getMetadata().getName() + "-" + snapshot.getMetadata().getUid() + ".db";
    try (S3Client s3 = s3(d, ns, false)) {
      return ObjectStore.abortUploads(s3, d.getBucket(), folder, ending);
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
    if (cluster != null) return resolvedDestination(snapshot, cluster);
    if (snapshot.getSpec().getDestination() == null || snapshot.getSpec().getDestination().getS3() == null) {
      throw new Refused("no destination recorded and EtcdCluster " + snapshot.getSpec().getClusterName() + " is gone");
    }
    return snapshot.getSpec().getDestination().getS3();
  }

  /**
   * An S3 client for a destination, with the credentials (and CA) its Secrets hold.
   *
   * @param labelled the credentials Secret must carry {@link #CREDENTIALS_LABEL}: true for an EtcdSnapshot's own
   *     destination, so that naming a Secret is not enough to use it
   */
  public S3Client s3(S3Destination d, String ns, boolean labelled) throws Exception {
    Secret credentials = secret(ns, d.getCredentialsSecretName(), "destination.s3.credentialsSecretName");
    if (labelled && (credentials.getMetadata().getLabels() == null
        || !"true".equals(credentials.getMetadata().getLabels().get(CREDENTIALS_LABEL)))) {
      throw new Refused("spec.destination.s3.credentialsSecretName: Secret " + d.getCredentialsSecretName()
          + " is not labelled " + CREDENTIALS_LABEL + "=true, which an EtcdSnapshot's own destination needs");
    }
    Map<String, String> creds = CertificateManager.decode(credentials);
    if (creds.get("accessKeyID") == null || creds.get("secretAccessKey") == null) {
      throw new Refused("destination.s3.credentialsSecretName: Secret " + d.getCredentialsSecretName()
          + " needs the keys accessKeyID and secretAccessKey");
    }
    String ca = null;
    if (d.getCaSecretName() != null && !d.getCaSecretName().isBlank()) {
      ca = CertificateManager.decode(secret(ns, d.getCaSecretName(), "destination.s3.caSecretName")).get("ca.crt");
      if (ca == null) throw new Refused("destination.s3.caSecretName: Secret " + d.getCaSecretName() + " has no ca.crt");
    }
    return ObjectStore.client(d, new ObjectStore.Credentials(creds.get("accessKeyID"), creds.get("secretAccessKey"),
        creds.get("sessionToken")), ca);
  }

  private Secret secret(String ns, String name, String field) throws Refused {
    if (name == null || name.isBlank()) throw new Refused(field + ": required");
    Secret s = client.secrets().inNamespace(ns).withName(name).get();
    if (s == null) throw new Refused(field + ": no Secret " + name + " in namespace " + ns);
    return s;
  }

  /**
   * The cluster's keyset, created (and kept in its Secret) the first time it is needed. Once a snapshot was encrypted
   * with a keyset, a missing Secret is an error, never a new key: the snapshots taken with it could never be decrypted.
   */
  private SnapshotEncryption encryption(String ns, String secretName, EtcdCluster cluster) throws Exception {
    Secret s = client.secrets().inNamespace(ns).withName(secretName).get();
    if (s == null) {
      List<String> encryptedWithIt = client.resources(EtcdSnapshot.class).inNamespace(ns).list().getItems().stream()
          .filter(x -> x.getSpec() != null && cluster.getMetadata().getName().equals(x.getSpec().getClusterName()))
          .filter(x -> x.getStatus() != null && x.getStatus().getEncryptionKeyId() != null
              && secretName.equals(x.getStatus().getEncryptionKeySecretName()))
          .map(x -> x.getMetadata().getName()).sorted().toList();
      if (!encryptedWithIt.isEmpty()) {
        throw new Refused("spec.snapshots.encryption.keySecretName: Secret " + secretName + " is gone, but "
            + encryptedWithIt.size() + " snapshot(s) of this cluster were encrypted with its keyset (" + encryptedWithIt.get(0)
            + (encryptedWithIt.size() > 1 ? ", …" : "") + "): a new key could never decrypt them. Restore the Secret"
            + " from your backup, or name another Secret to start a new keyset on purpose");
      }
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

  /** The operator's client certificate, as the cluster reconciler keeps it; the cluster's own key of connections. */
  private EtcdConnection connection(ClusterNames names, TlsWiring tls, String ns) throws Refused {
    String key = ns + "/" + names.cluster();
    if (!tls.enabled()) return EtcdConnection.plain(key);
    Secret s = client.secrets().inNamespace(ns).withName(names.operatorTlsSecret()).get();
    if (s == null) throw new Refused("the operator's client certificate (" + names.operatorTlsSecret() + ") is missing");
    var d = CertificateManager.decode(s);
    return new EtcdConnection(key, tls, d.get("ca.crt"), d.get("tls.crt"), d.get("tls.key"));
  }
}
