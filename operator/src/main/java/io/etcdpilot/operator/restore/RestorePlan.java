package io.etcdpilot.operator.restore;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.api.v1alpha1.FromSnapshot;
import io.etcdpilot.operator.api.v1alpha1.S3Destination;
import io.etcdpilot.operator.api.v1alpha1.SnapshotDestination;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.model.EtcdVersion;
import io.etcdpilot.operator.model.RestoreSource;
import io.etcdpilot.operator.model.TlsWiring;
import io.etcdpilot.operator.model.SpecViolation;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Whether, and from where, the members restore a snapshot. {@code spec.bootstrap.fromSnapshot} is resolved once,
 * when the cluster is created, and the result kept in the cluster-state ConfigMap: after that the recorded source is
 * rendered whatever the spec says, and a spec that says something else is refused. Pure.
 */
public final class RestorePlan {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private RestorePlan() {}

  /**
   * @param source what the members restore from (null: nothing)
   * @param invalid why the spec cannot create the cluster (it is not created)
   * @param refused a change after creation, left out
   */
  public record Decision(RestoreSource source, String recordedSpec, List<SpecViolation> invalid,
      List<SpecViolation> refused) {
    static Decision none() {
      return new Decision(null, null, List.of(), List.of());
    }
  }

  public static Decision decide(EtcdCluster cluster, ConfigMap state, Function<String, Optional<EtcdSnapshot>> snapshots,
      Function<String, Optional<EtcdCluster>> clusters) {
    FromSnapshot wanted = cluster.getSpec().getBootstrap() == null ? null : cluster.getSpec().getBootstrap().getFromSnapshot();
    if (state != null) return afterCreation(wanted, state);
    if (wanted == null) return Decision.none();
    String field = "spec.bootstrap.fromSnapshot";
    EtcdVersion version = EtcdVersion.tryParse(cluster.getSpec().getVersion()).orElse(null);
    if (version != null && version.compareTo(new EtcdVersion(3, 5, 0)) < 0) {
      return invalid("spec.version", "a cluster created from a snapshot needs etcd 3.5 or later (etcdutl restores it)");
    }
    boolean byName = wanted.getSnapshotName() != null && !wanted.getSnapshotName().isBlank();
    boolean byLocation = wanted.getLocation() != null && !wanted.getLocation().isBlank();
    if (byName == byLocation) return invalid(field, "set exactly one of snapshotName and location");
    S3Destination store;
    String dataKey;
    String keySecret = wanted.getEncryptionKeySecretName();
    boolean targetTls = TlsWiring.of(cluster.getSpec()).enabled();
    boolean allowTlsOff = Boolean.TRUE.equals(wanted.getAllowTlsOff());
    RestoreSource.Expected expected;
    if (byName) {
      Optional<EtcdSnapshot> found = snapshots.apply(wanted.getSnapshotName());
      if (found.isEmpty()) return invalid(field + ".snapshotName", "no EtcdSnapshot " + wanted.getSnapshotName() + " in this namespace");
      EtcdSnapshot s = found.get();
      String phase = s.getStatus() == null ? "Pending" : s.getStatus().getPhase();
      if (!"Succeeded".equals(phase) || s.getStatus().getLocation() == null) {
        return invalid(field + ".snapshotName", "EtcdSnapshot " + wanted.getSnapshotName() + " is " + phase
            + "; the cluster is created from a snapshot that succeeded");
      }
      Optional<EtcdCluster> source = s.getSpec() == null ? Optional.empty() : clusters.apply(s.getSpec().getClusterName());
      // Where it was stored, as recorded when it ran, before what its spec or cluster say now.
      store = first(wanted.getDestination(), s.getStatus().getStoredIn(),
          s.getSpec() == null ? null : s.getSpec().getDestination(),
          source.map(c -> c.getSpec().getSnapshots() == null ? null : c.getSpec().getSnapshots().getDestination()).orElse(null),
          own(cluster));
      if (keySecret == null) {
        keySecret = source.map(RestorePlan::keySecret).orElse(null);
      }
      dataKey = key(s.getStatus().getLocation());
      if (store != null && !store.getBucket().equals(bucket(s.getStatus().getLocation()))) {
        return invalid(field + ".destination", "the snapshot is in bucket " + bucket(s.getStatus().getLocation())
            + ", the destination names " + store.getBucket());
      }
      boolean sourceTls = Boolean.TRUE.equals(s.getStatus().getTls())
          || source.map(c -> TlsWiring.of(c.getSpec()).enabled()).orElse(false);
      if (sourceTls && !targetTls && !allowTlsOff) return tlsOff(field);
      // The record, not the bucket, says what was taken: the restore refuses a manifest that says otherwise.
      expected = new RestoreSource.Expected(s.getMetadata().getNamespace(), s.getSpec() == null ? null
          : s.getSpec().getClusterName(), dataKey, s.getStatus().getSha256(), s.getStatus().getRevision(),
          s.getStatus().getEncryptionKeyId(), targetTls, allowTlsOff);
      boolean encrypted = s.getStatus().getEncryptionKeyId() != null || dataKey.endsWith(".enc");
      if (!encrypted && wanted.getEncryptionKeySecretName() == null) {
        // Recorded as stored in the clear: no keyset (this cluster's own is for its own snapshots).
        return new Decision(new RestoreSource(store, RestoreSource.manifestKeyOf(dataKey), null, expected), json(wanted),
            List.of(), List.of());
      }
    } else {
      if (!wanted.getLocation().matches("^s3://[^/]+/.+\\.db.*$")) {
        return invalid(field + ".location", "must be s3://<bucket>/<key> of a snapshot's data object, was '"
            + wanted.getLocation() + "'");
      }
      String sourceCluster = wanted.getSourceCluster();
      if (sourceCluster == null || !sourceCluster.matches("^[^/]+/[^/]+$")) {
        return invalid(field + ".sourceCluster", "required with location: namespace/name of the cluster the snapshot was"
            + " taken of (its manifest must name it)");
      }
      store = first(wanted.getDestination(), own(cluster));
      dataKey = key(wanted.getLocation());
      if (store != null) {
        store = copyWithBucket(store, bucket(wanted.getLocation()));
      }
      String[] nsName = sourceCluster.split("/");
      expected = new RestoreSource.Expected(nsName[0], nsName[1], dataKey, null, null, null, targetTls, allowTlsOff);
    }
    if (store == null) {
      return invalid(field + ".destination", "no store to fetch it from: set it, or this cluster's spec.snapshots.destination");
    }
    if (keySecret == null) keySecret = keySecret(cluster);
    return new Decision(new RestoreSource(store, RestoreSource.manifestKeyOf(dataKey), keySecret, expected), json(wanted),
        List.of(), List.of());
  }

  /**
   * What a cluster created from this cluster's own EtcdSnapshot {@code snapshot} would be told to restore: the same
   * checks (manifest, sha256, key) hold for a quorum recovery and a restore drill.
   *
   * @throws IllegalStateException naming why it cannot be restored
   */
  public static RestoreSource ofSnapshot(EtcdCluster cluster, String snapshot,
      Function<String, Optional<EtcdSnapshot>> snapshots, Function<String, Optional<EtcdCluster>> clusters) {
    EtcdCluster asIfCreated = io.fabric8.kubernetes.client.utils.Serialization.clone(cluster);
    FromSnapshot from = new FromSnapshot();
    from.setSnapshotName(snapshot);
    asIfCreated.getSpec().setBootstrap(new io.etcdpilot.operator.api.v1alpha1.BootstrapSpec());
    asIfCreated.getSpec().getBootstrap().setFromSnapshot(from);
    Decision d = decide(asIfCreated, null, snapshots, clusters);
    if (!d.invalid().isEmpty() || d.source() == null) {
      throw new IllegalStateException("EtcdSnapshot " + snapshot + " cannot be restored: " + d.invalid());
    }
    return d.source();
  }

  private static Decision tlsOff(String field) {
    return invalid(field + ".allowTlsOff", "the snapshot's cluster ran TLS and this one has spec.tls.enabled false:"
        + " its data would be served in plain text; set allowTlsOff: true if that is meant");
  }

  /** The recorded source is rendered; a spec that now says something else is refused. */
  private static Decision afterCreation(FromSnapshot wanted, ConfigMap state) {
    String recordedSource = state.getData() == null ? null : state.getData().get(ClusterObjects.RESTORE_SOURCE_KEY);
    String recordedSpec = state.getData() == null ? null : state.getData().get(ClusterObjects.RESTORE_SPEC_KEY);
    RestoreSource source = RestoreSource.fromJson(recordedSource).orElse(null);
    String wantedJson = wanted == null ? null : json(wanted);
    if (java.util.Objects.equals(wantedJson, recordedSpec)) return new Decision(source, recordedSpec, List.of(), List.of());
    return new Decision(source, recordedSpec, List.of(), List.of(new SpecViolation("spec.bootstrap.fromSnapshot",
        "is honoured only when the cluster is created; this cluster was created "
            + (source == null ? "empty" : "from " + source.describe()) + ", so the change is left out")));
  }

  public static String json(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Decision invalid(String field, String message) {
    return new Decision(null, null, List.of(new SpecViolation(field, message)), List.of());
  }

  private static S3Destination own(EtcdCluster c) {
    return c.getSpec().getSnapshots() == null || c.getSpec().getSnapshots().getDestination() == null ? null
        : c.getSpec().getSnapshots().getDestination().getS3();
  }

  private static String keySecret(EtcdCluster c) {
    return c.getSpec().getSnapshots() == null || c.getSpec().getSnapshots().getEncryption() == null ? null
        : c.getSpec().getSnapshots().getEncryption().getKeySecretName();
  }

  private static S3Destination first(Object... candidates) {
    for (Object c : candidates) {
      if (c instanceof SnapshotDestination d && d.getS3() != null) return d.getS3();
      if (c instanceof S3Destination s) return s;
    }
    return null;
  }

  private static S3Destination copyWithBucket(S3Destination d, String bucket) {
    S3Destination c = JSON.convertValue(d, S3Destination.class);
    c.setBucket(bucket);
    return c;
  }

  private static String bucket(String location) {
    String rest = location.substring("s3://".length());
    return rest.substring(0, rest.indexOf('/'));
  }

  private static String key(String location) {
    String rest = location.substring("s3://".length());
    return rest.substring(rest.indexOf('/') + 1);
  }
}
