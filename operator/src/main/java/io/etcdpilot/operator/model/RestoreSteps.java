package io.etcdpilot.operator.model;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.List;

/**
 * The restore steps (init containers) of a member of a cluster created from a snapshot, and their contract with the
 * restore agent (the operator's image run as a step): fetch (download, decrypt, decompress, verify) → etcdutl snapshot
 * restore (etcd's image, into a work directory) → finish (move it into the data directory unless the member already
 * has data). Outside of a creation from a snapshot each step does nothing. Pure.
 */
public final class RestoreSteps {
  /** Whether the agent restores: {@link #MODE_SNAPSHOT} while the cluster is created, else {@link #MODE_NONE}. */
  public static final String ENV_MODE = "RESTORE_MODE";
  /** The store's private CA (PEM), from the destination's caSecretName; absent: the JDK's trust. */
  public static final String ENV_CA = "RESTORE_CA";
  /** What the manifest must say ({@link RestoreSource.Expected}); empty values are not checked. */
  public static final String ENV_EXPECT_NAMESPACE = "RESTORE_EXPECT_NAMESPACE";
  public static final String ENV_EXPECT_CLUSTER = "RESTORE_EXPECT_CLUSTER";
  public static final String ENV_EXPECT_OBJECT = "RESTORE_EXPECT_OBJECT";
  public static final String ENV_EXPECT_SHA256 = "RESTORE_EXPECT_SHA256";
  public static final String ENV_EXPECT_REVISION = "RESTORE_EXPECT_REVISION";
  public static final String ENV_EXPECT_KEY_ID = "RESTORE_EXPECT_KEY_ID";
  public static final String ENV_TARGET_TLS = "RESTORE_TARGET_TLS";
  public static final String ENV_ALLOW_TLS_OFF = "RESTORE_ALLOW_TLS_OFF";
  public static final String MODE_SNAPSHOT = "snapshot";
  public static final String MODE_NONE = "none";
  /** Where the snapshot and etcdutl's output go, on the member's data volume. */
  public static final String WORK_DIR = "/var/lib/etcd/restore";
  public static final String SNAPSHOT_FILE = WORK_DIR + "/snapshot.db";
  /** The manifest the fetched snapshot was checked against, for a restore drill's check. */
  public static final String MANIFEST_FILE = WORK_DIR + "/manifest.json";
  public static final String RESTORED_DIR = WORK_DIR + "/data";
  /** The agent's main class, in the operator's jar (a test holds it to the class itself). */
  public static final String AGENT_MAIN = "io.etcdpilot.operator.restore.RestoreAgent";
  /** Where the operator's image keeps its jar. */
  public static final String AGENT_JAR = "/app/etcdpilot-operator.jar";
  /** The data volume's root: writable, unlike the steps' root filesystem, and not etcd's data dir. */
  static final String AGENT_TMP_DIR = "/var/lib/etcd";
  /** The key of the keyset Secret ({@code spec.snapshots.encryption.keySecretName}) holding Tink's JSON keyset. */
  public static final String KEYSET_SECRET_KEY = "keyset.json";
  public static final long REVISION_BUMP = 1_000_000_000L;

  private RestoreSteps() {}

  /**
   * @param etcdImage the image etcdutl comes from (the members' own)
   * @param mounts the member's volume mounts (data, and TLS when on)
   */
  static List<Container> containers(RestoreSource restore, String agentImage, String etcdImage, ClusterNames names,
      TlsWiring tls, String clusterToken, List<VolumeMount> mounts, ResourceRequirements resources,
      SecurityContext security) {
    List<EnvVar> agentEnv = agentEnv(restore, ClusterObjects.configEnv(names, ENV_MODE, ClusterObjects.RESTORE_MODE_KEY));
    Container fetch = fetch(agentImage, agentEnv, mounts, resources, security).withName("restore-fetch").build();
    String host = "$(" + EtcdFlags.ENV_POD_NAME + ")." + names.peerService() + "." + names.namespace() + ".svc."
        + names.clusterDomain();
    Container etcdutl = new ContainerBuilder().withName("restore-db").withImage(etcdImage)
        .withCommand("/usr/local/bin/etcdutl")
        .withArgs("snapshot", "restore", "$(RESTORE_SNAPSHOT)", "--name=$(" + EtcdFlags.ENV_POD_NAME + ")",
            "--initial-cluster=$(" + EtcdFlags.ENV_INITIAL_CLUSTER + ")", "--initial-cluster-token=" + clusterToken,
            "--initial-advertise-peer-urls=" + tls.scheme() + "://" + host + ":" + ClusterNames.PEER_PORT,
            "--data-dir=" + RESTORED_DIR,
            // Far above any revision the old cluster reached, and compacted: watchers never see revisions go back.
            "--bump-revision=" + REVISION_BUMP, "--mark-compacted")
        .withEnv(ClusterObjects.fieldEnv(EtcdFlags.ENV_POD_NAME, "metadata.name"),
            ClusterObjects.configEnv(names, EtcdFlags.ENV_INITIAL_CLUSTER, ClusterObjects.INITIAL_CLUSTER_KEY),
            ClusterObjects.configEnv(names, "RESTORE_SNAPSHOT", ClusterObjects.RESTORE_SNAPSHOT_KEY))
        .withVolumeMounts(mounts).withResources(resources).withSecurityContext(security)
        .withTerminationMessagePolicy("FallbackToLogsOnError").build();
    Container finish = new ContainerBuilder(fetch).withName("restore-finish")
        .withCommand("java", "-Djava.io.tmpdir=" + AGENT_TMP_DIR, "-cp", AGENT_JAR, AGENT_MAIN, "finish")
        .withEnv(ClusterObjects.configEnv(names, ENV_MODE, ClusterObjects.RESTORE_MODE_KEY)).build();
    return List.of(fetch, etcdutl, finish);
  }

  /**
   * The agent's {@code fetch} step (download, decrypt, decompress, check; the manifest beside it), unnamed.
   * @param env {@link #agentEnv}
   */
  public static ContainerBuilder fetch(String agentImage, List<EnvVar> env, List<VolumeMount> mounts,
      ResourceRequirements resources, SecurityContext security) {
    return new ContainerBuilder().withImage(agentImage)
        // The root filesystem is read-only: native libraries (zstd) unpack on the data volume, outside etcd's data dir.
        .withCommand("java", "-Djava.io.tmpdir=" + AGENT_TMP_DIR, "-cp", AGENT_JAR, AGENT_MAIN, "fetch")
        .withEnv(env).withVolumeMounts(mounts).withResources(resources).withSecurityContext(security)
        .withTerminationMessagePolicy("FallbackToLogsOnError");
  }

  /**
   * The fetch step's environment: where the snapshot is, the credentials and keyset (Secret references), and what
   * its manifest must say.
   * @param mode {@link #ENV_MODE}'s variable
   */
  public static List<EnvVar> agentEnv(RestoreSource restore, EnvVar mode) {
    var store = restore.store();
    List<EnvVar> agentEnv = new ArrayList<>(List.of(
        mode,
        literal("RESTORE_ENDPOINT", store.getEndpoint() == null ? "" : store.getEndpoint()),
        literal("RESTORE_REGION", store.getRegion()),
        literal("RESTORE_BUCKET", store.getBucket()),
        literal("RESTORE_PATH_STYLE", Boolean.toString(Boolean.TRUE.equals(store.getForcePathStyle()))),
        literal("RESTORE_MANIFEST", restore.manifestKey()),
        // Optional references: once the cluster exists the Secrets may go without blocking a member's restart.
        secretEnv("RESTORE_ACCESS_KEY_ID", store.getCredentialsSecretName(), "accessKeyID"),
        secretEnv("RESTORE_SECRET_ACCESS_KEY", store.getCredentialsSecretName(), "secretAccessKey"),
        secretEnv("RESTORE_SESSION_TOKEN", store.getCredentialsSecretName(), "sessionToken")));
    if (store.getCaSecretName() != null && !store.getCaSecretName().isBlank()) {
      agentEnv.add(secretEnv(ENV_CA, store.getCaSecretName(), "ca.crt"));
    }
    if (restore.keySecretName() != null) {
      agentEnv.add(secretEnv("RESTORE_KEYSET", restore.keySecretName(), KEYSET_SECRET_KEY));
    }
    RestoreSource.Expected e = restore.expected();
    if (e != null) {
      agentEnv.add(literal(ENV_EXPECT_NAMESPACE, nullToEmpty(e.namespace())));
      agentEnv.add(literal(ENV_EXPECT_CLUSTER, nullToEmpty(e.cluster())));
      agentEnv.add(literal(ENV_EXPECT_OBJECT, nullToEmpty(e.object())));
      agentEnv.add(literal(ENV_EXPECT_SHA256, nullToEmpty(e.sha256())));
      agentEnv.add(literal(ENV_EXPECT_REVISION, e.revision() == null ? "" : e.revision().toString()));
      agentEnv.add(literal(ENV_EXPECT_KEY_ID, e.keyId() == null ? "" : e.keyId().toString()));
      agentEnv.add(literal(ENV_TARGET_TLS, Boolean.toString(e.targetTls())));
      agentEnv.add(literal(ENV_ALLOW_TLS_OFF, Boolean.toString(e.allowTlsOff())));
    }
    return agentEnv;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  public static EnvVar literal(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static EnvVar secretEnv(String name, String secret, String key) {
    return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef().withName(secret).withKey(key)
        .withOptional(true).endSecretKeyRef().endValueFrom().build();
  }
}
