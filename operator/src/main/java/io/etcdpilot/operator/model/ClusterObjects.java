package io.etcdpilot.operator.model;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterSpec;
import io.etcdpilot.operator.api.v1alpha1.SchedulingSpec;
import io.etcdpilot.operator.api.v1alpha1.StorageSpec;
import io.fabric8.kubernetes.api.model.*;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Pure builders of the Kubernetes objects one EtcdCluster needs. No I/O. */
public final class ClusterObjects {
  public static final String STATE_KEY = "initial-cluster-state";
  public static final String INITIAL_CLUSTER_KEY = "initial-cluster";
  /** The scheme of every member URL: fixed at bootstrap (members cannot change it), kept to refuse a switch. */
  public static final String URL_SCHEME_KEY = "url-scheme";
  public static final String STATE_NEW = "new";
  public static final String STATE_EXISTING = "existing";
  public static final String DEFAULT_IMAGE_REPO = "gcr.io/etcd-development/etcd";
  public static final String DATA_VOLUME = "data";
  public static final String DATA_MOUNT = "/var/lib/etcd";
  /** Long enough for a leader to hand over leadership and flush before SIGKILL. */
  public static final long TERMINATION_GRACE_SECONDS = 60;

  private final EtcdCluster cluster;
  private final ClusterNames names;
  private final TlsWiring tls;
  private final EtcdVersion version;
  private final String image;
  private RestoreSource restore;
  private String agentImage;
  private String restoreSpec;
  /** The members' volume size as rendered (the spec's, or the live one while volumes grow); null: the spec's. */
  private String volumeSize;

  /** ConfigMap keys of a cluster created from a snapshot: whether its members restore, and what etcdutl is given. */
  public static final String RESTORE_MODE_KEY = "restore-mode";
  public static final String RESTORE_SNAPSHOT_KEY = "restore-snapshot";
  public static final String RESTORE_SOURCE_KEY = "restore-source";
  /** The {@code spec.bootstrap.fromSnapshot} the cluster was created with (JSON): a later change is then seen. */
  public static final String RESTORE_SPEC_KEY = "restore-spec";

  public static final String TLS_VOLUME = "tls";
  public static final String TRUST_ANNOTATION = "etcdpilot.io/trust-bundle";

  /** On the StatefulSet: the etcd version its pods are rendered with (the decision, which may lag spec.version). */
  public static final String VERSION_ANNOTATION = "etcdpilot.io/etcd-version";

  public ClusterObjects(EtcdCluster cluster, String clusterDomain) {
    this(cluster, clusterDomain, EtcdVersion.parse(cluster.getSpec().getVersion()));
  }

  /** @param version the version members run: decided by the version gate, not read from the spec */
  public ClusterObjects(EtcdCluster cluster, String clusterDomain, EtcdVersion version) {
    this(cluster, clusterDomain, version, null);
  }

  /**
   * @param image the image members run when the gate holds them on another version than the spec's and the spec names
   *     its own image (that image runs the spec's version, not this one); null: from the spec
   */
  public ClusterObjects(EtcdCluster cluster, String clusterDomain, EtcdVersion version, String image) {
    this.cluster = cluster;
    this.names = new ClusterNames(cluster.getMetadata().getName(), cluster.getMetadata().getNamespace(), clusterDomain);
    this.tls = TlsWiring.of(cluster.getSpec());
    this.version = version;
    this.image = image;
  }

  public EtcdVersion version() { return version; }

  /**
   * The same objects for a cluster created from a snapshot: each member pod restores it before etcd starts
   * (the operator's image run as {@code agentImage} fetches and checks it, etcd's {@code etcdutl} restores it).
   */
  public ClusterObjects restoring(RestoreSource source, String recordedSpec,
      String agentImage) {
    ClusterObjects copy = new ClusterObjects(cluster, names.clusterDomain(), version, image);
    copy.volumeSize = volumeSize;
    copy.restore = source;
    copy.restoreSpec = recordedSpec;
    copy.agentImage = agentImage;
    return copy;
  }

  public RestoreSource restore() { return restore; }

  /** Each member's volume, as the claim template asks for it. */
  public String volumeSize() {
    if (volumeSize != null) return volumeSize;
    StorageSpec storage = cluster.getSpec().getStorage();
    return storage == null || storage.getSize() == null ? StorageSpec.DEFAULT_SIZE : storage.getSize();
  }

  /**
   * The same objects with volumes of {@code size}: while volumes grow, the claim template and the quota derived from
   * it stay at the size every member has.
   */
  public ClusterObjects sizedTo(String size) {
    ClusterObjects copy = new ClusterObjects(cluster, names.clusterDomain(), version, image);
    copy.restore = restore;
    copy.restoreSpec = restoreSpec;
    copy.agentImage = agentImage;
    copy.volumeSize = size;
    return copy;
  }

  /** The backend quota members run with on such volumes. */
  public long quotaBytes() {
    return BackendQuota.of(cluster.getSpec().getEtcd(), BackendQuota.bytes(volumeSize()));
  }

  public ClusterNames names() { return names; }
  public TlsWiring tls() { return tls; }

  public int replicas() {
    Integer r = cluster.getSpec().getReplicas();
    return r == null ? 3 : r;
  }

  public String image() {
    if (image != null) return image;
    String custom = cluster.getSpec().getImage();
    return custom != null && !custom.isBlank() ? custom : DEFAULT_IMAGE_REPO + ":v" + version;
  }

  /** A token unique to this cluster object, so members of a re-created cluster never join the old one. */
  public String clusterToken() {
    String uid = cluster.getMetadata().getUid();
    return names.cluster() + "-" + (uid == null ? "0" : uid.substring(0, Math.min(8, uid.length())));
  }

  private ObjectMeta meta(String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(names.namespace())
        .withLabels(names.commonLabels())
        .withOwnerReferences(ownerReference())
        .build();
  }

  public OwnerReference ownerReference() {
    return new OwnerReferenceBuilder()
        .withApiVersion(cluster.getApiVersion())
        .withKind(cluster.getKind())
        .withName(cluster.getMetadata().getName())
        .withUid(cluster.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /** Headless Service that gives every member a stable DNS name, published before the member is ready. */
  public Service peerService() {
    return new ServiceBuilder()
        .withMetadata(meta(names.peerService()))
        .withNewSpec()
          .withClusterIP("None")
          .withPublishNotReadyAddresses(true)
          .withSelector(names.selectorLabels())
          .addNewPort().withName("peer").withPort(ClusterNames.PEER_PORT).withNewTargetPort(ClusterNames.PEER_PORT).endPort()
          .addNewPort().withName("client").withPort(ClusterNames.CLIENT_PORT).withNewTargetPort(ClusterNames.CLIENT_PORT).endPort()
        .endSpec()
        .build();
  }

  /** Service applications use; only ready members receive traffic. */
  public Service clientService() {
    return new ServiceBuilder()
        .withMetadata(meta(names.clientService()))
        .withNewSpec()
          .withType("ClusterIP")
          .withSelector(names.selectorLabels())
          .addNewPort().withName("client").withPort(ClusterNames.CLIENT_PORT).withNewTargetPort(ClusterNames.CLIENT_PORT).endPort()
        .endSpec()
        .build();
  }

  /**
   * What a starting member needs to know about the cluster it belongs to. {@code new} while the cluster is
   * bootstrapping; {@code existing} once it has formed, so any later member joins instead of founding. After
   * bootstrap the initial cluster is the join list (see {@code membership.JoinList}), empty unless a member joins.
   *
   * @param learnerAdded which member joins as a learner and since when ({@link LearnerClock}); null when none does
   */
  public ConfigMap stateConfigMap(String state, String initialCluster, String learnerAdded) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(STATE_KEY, state);
    data.put(INITIAL_CLUSTER_KEY, initialCluster);
    data.put(URL_SCHEME_KEY, tls.scheme());
    if (learnerAdded != null) data.put(LearnerClock.KEY, learnerAdded);
    if (restore != null) {
      // Only founding members restore, and only while the cluster is being created; later members join as usual.
      boolean creating = STATE_NEW.equals(state);
      data.put(RESTORE_MODE_KEY, creating ? RestoreSteps.MODE_SNAPSHOT : RestoreSteps.MODE_NONE);
      // etcdutl's argument: the snapshot, or --help (prints its usage, exits 0) once there is nothing to restore.
      data.put(RESTORE_SNAPSHOT_KEY, creating ? RestoreSteps.SNAPSHOT_FILE : "--help");
      // What the cluster was created from, and the spec that asked for it: kept, so that a later spec change is seen.
      data.put(RESTORE_SOURCE_KEY, restore.toJson());
      if (restoreSpec != null) data.put(RESTORE_SPEC_KEY, restoreSpec);
    }
    return new ConfigMapBuilder().withMetadata(meta(names.stateConfigMap())).withData(data).build();
  }

  /** Before etcd can be asked: the founding members are the voters. */
  public PodDisruptionBudget podDisruptionBudget() {
    return podDisruptionBudget(replicas());
  }

  /**
   * Voluntary disruptions may never take the voters below quorum: {@code minAvailable} is the quorum of the voters etcd
   * reports now (not of spec.replicas, which differs from them while members are added or removed), over the pods
   * labelled as voters (a learner's pod does not count as one).
   */
  public PodDisruptionBudget podDisruptionBudget(int voters) {
    Map<String, String> selector = new java.util.LinkedHashMap<>(names.selectorLabels());
    selector.put(ClusterNames.LABEL_VOTER, "true");
    return new PodDisruptionBudgetBuilder()
        .withMetadata(meta(names.podDisruptionBudget()))
        .withNewSpec()
          .withMinAvailable(new IntOrString(Quorum.of(Math.max(1, voters))))
          .withNewSelector().withMatchLabels(selector).endSelector()
        .endSpec()
        .build();
  }

  public StatefulSet statefulSet() {
    return statefulSet(MemberTrust.NONE);
  }

  /**
   * @param trust what members trust; part of the pod template because members load it only at start, so a
   *     trust change must roll them.
   */
  public StatefulSet statefulSet(MemberTrust trust) {
    EtcdClusterSpec spec = cluster.getSpec();
    StorageSpec storage = spec.getStorage() == null ? new StorageSpec() : spec.getStorage();
    SchedulingSpec scheduling = spec.getScheduling() == null ? new SchedulingSpec() : spec.getScheduling();

    Map<String, String> podLabels = new LinkedHashMap<>();
    Map<String, String> podAnnotations = new LinkedHashMap<>();
    if (spec.getPodTemplate() != null && spec.getPodTemplate().getMetadata() != null) {
      var extra = spec.getPodTemplate().getMetadata();
      if (extra.getLabels() != null) podLabels.putAll(extra.getLabels());
      if (extra.getAnnotations() != null) podAnnotations.putAll(extra.getAnnotations());
    }
    podLabels.putAll(names.commonLabels());
    if (tls.enabled() && trust.bundleHash() != null) {
      podAnnotations.put(TRUST_ANNOTATION, trust.bundleHash());
    }
    podLabels.put(ClusterNames.LABEL_COMPONENT, "member");

    Affinity affinity = scheduling.getAffinity() != null ? scheduling.getAffinity() : oneMemberPerNode();

    PersistentVolumeClaimSpecBuilder claim = new PersistentVolumeClaimSpecBuilder()
        .withAccessModes("ReadWriteOnce")
        .withNewResources().addToRequests("storage", new Quantity(volumeSize())).endResources();
    if (storage.getStorageClassName() != null && !storage.getStorageClassName().isBlank()) {
      claim.withStorageClassName(storage.getStorageClassName());
    }

    List<EnvVar> env = List.of(
        fieldEnv(EtcdFlags.ENV_POD_NAME, "metadata.name"),
        fieldEnv("POD_NAMESPACE", "metadata.namespace"),
        fieldEnv(EtcdFlags.ENV_POD_IP, "status.podIP"),
        configEnv(EtcdFlags.ENV_INITIAL_CLUSTER, INITIAL_CLUSTER_KEY),
        configEnv(EtcdFlags.ENV_INITIAL_CLUSTER_STATE, STATE_KEY));

    ResourceRequirements resources = spec.getResources() != null ? spec.getResources()
        : new ResourceRequirementsBuilder()
            .addToRequests("cpu", new Quantity("200m"))
            .addToRequests("memory", new Quantity("512Mi"))
            .build();

    Container etcd = new ContainerBuilder()
        .withName("etcd")
        .withImage(image())
        .withCommand("/usr/local/bin/etcd")
        .withArgs(EtcdFlags.build(version, names, tls, spec.getEtcd(), clusterToken(), trust, quotaBytes()))
        .withEnv(env)
        .addNewPort().withName("client").withContainerPort(ClusterNames.CLIENT_PORT).endPort()
        .addNewPort().withName("peer").withContainerPort(ClusterNames.PEER_PORT).endPort()
        .addNewPort().withName("metrics").withContainerPort(ClusterNames.METRICS_PORT).endPort()
        .withResources(resources)
        .withVolumeMounts(mounts())
        // The end of etcd's log lands in the pod status when it exits: the operator tells a member that lost
        // its data ("couldn't find local name") from one that merely crashed, and `kubectl describe` shows why.
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        // Ready means "serves linearizable reads": /health fails without a leader. Probed every second: it is a
        // local read, and a member that starts serving is Ready (and in the PDB's count) without waiting a period.
        .withNewReadinessProbe()
          .withNewHttpGet().withPath("/health").withPort(new IntOrString(ClusterNames.METRICS_PORT)).endHttpGet()
          .withPeriodSeconds(1).withTimeoutSeconds(3).withFailureThreshold(3)
        .endReadinessProbe()
        // Alive means "the process answers": never kill members just because quorum is lost.
        .withNewLivenessProbe()
          .withNewTcpSocket().withPort(new IntOrString(ClusterNames.METRICS_PORT)).endTcpSocket()
          .withInitialDelaySeconds(10).withPeriodSeconds(10).withTimeoutSeconds(5).withFailureThreshold(6)
        .endLivenessProbe()
        .withSecurityContext(containerSecurity())
        .build();

    ObjectMeta meta = meta(names.statefulSet());
    meta.setAnnotations(new LinkedHashMap<>(Map.of(VERSION_ANNOTATION, version.toString())));
    return new StatefulSetBuilder()
        .withMetadata(meta)
        .withNewSpec()
          .withReplicas(replicas())
          .withServiceName(names.peerService())
          .withPodManagementPolicy("Parallel")
          .withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy()
          .withNewSelector().withMatchLabels(names.selectorLabels()).endSelector()
          .withNewPersistentVolumeClaimRetentionPolicy()
            .withWhenDeleted(storage.getOnDelete() == StorageSpec.VolumePolicy.Delete ? "Delete" : "Retain")
            .withWhenScaled(storage.getOnScaleIn() == StorageSpec.VolumePolicy.Retain ? "Retain" : "Delete")
          .endPersistentVolumeClaimRetentionPolicy()
          .withNewTemplate()
            .withNewMetadata().withLabels(podLabels).withAnnotations(podAnnotations.isEmpty() ? null : podAnnotations).endMetadata()
            .withNewSpec()
              .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
              .withEnableServiceLinks(false)
              .withAutomountServiceAccountToken(false)
              .withSecurityContext(podSecurity())
              .withAffinity(affinity)
              .withNodeSelector(scheduling.getNodeSelector())
              .withTolerations(scheduling.getTolerations())
              .withTopologySpreadConstraints(scheduling.getTopologySpreadConstraints())
              .withPriorityClassName(scheduling.getPriorityClassName())
              .withInitContainers(restore == null ? null : RestoreSteps.containers(restore, agentImage, image(), names, tls,
                  clusterToken(), mounts(), resources, etcd.getSecurityContext()))
              .withContainers(etcd)
              .withVolumes(volumes())
            .endSpec()
          .endTemplate()
          .withVolumeClaimTemplates(new PersistentVolumeClaimBuilder()
              .withNewMetadata().withName(DATA_VOLUME).withLabels(names.commonLabels()).endMetadata()
              .withSpec(claim.build())
              .build())
        .endSpec()
        .build();
  }

  private List<VolumeMount> mounts() {
    List<VolumeMount> m = new java.util.ArrayList<>();
    m.add(new VolumeMountBuilder().withName(DATA_VOLUME).withMountPath(DATA_MOUNT).build());
    if (tls.enabled()) {
      m.add(new VolumeMountBuilder().withName(TLS_VOLUME).withMountPath(TlsWiring.CERT_DIR).withReadOnly(true).build());
    }
    return m;
  }

  private List<Volume> volumes() {
    if (!tls.enabled()) return null;
    return List.of(new VolumeBuilder().withName(TLS_VOLUME)
        .withNewSecret().withSecretName(names.memberTlsSecret()).withDefaultMode(0440).endSecret().build());
  }

  private Affinity oneMemberPerNode() {
    return new AffinityBuilder()
        .withNewPodAntiAffinity()
          .addNewRequiredDuringSchedulingIgnoredDuringExecution()
            .withTopologyKey("kubernetes.io/hostname")
            .withNewLabelSelector().withMatchLabels(names.selectorLabels()).endLabelSelector()
          .endRequiredDuringSchedulingIgnoredDuringExecution()
        .endPodAntiAffinity()
        .build();
  }

  /** What every pod the operator runs gets (Pod Security "restricted"): non-root 65532, seccomp RuntimeDefault. */
  public static PodSecurityContext podSecurity() {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true).withRunAsUser(65532L).withRunAsGroup(65532L).withFsGroup(65532L)
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .build();
  }

  /** What every container the operator runs gets: no escalation, a read-only root, no capabilities. */
  public static SecurityContext containerSecurity() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withRunAsNonRoot(true)
        .withNewCapabilities().withDrop("ALL").endCapabilities()
        .build();
  }

  public static EnvVar fieldEnv(String name, String path) {
    return new EnvVarBuilder().withName(name)
        .withNewValueFrom().withNewFieldRef().withApiVersion("v1").withFieldPath(path).endFieldRef().endValueFrom()
        .build();
  }

  private EnvVar configEnv(String name, String key) {
    return configEnv(names, name, key);
  }

  /** An env var from a key of the cluster-state ConfigMap. */
  static EnvVar configEnv(ClusterNames names, String name, String key) {
    return new EnvVarBuilder().withName(name)
        .withNewValueFrom().withNewConfigMapKeyRef().withName(names.stateConfigMap()).withKey(key).endConfigMapKeyRef().endValueFrom()
        .build();
  }
}
