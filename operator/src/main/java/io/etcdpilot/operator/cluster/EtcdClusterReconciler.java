package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.kube.EventRecorder;
import io.etcdpilot.operator.api.v1alpha1.CertificateStatus;
import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterStatus;
import io.etcdpilot.operator.api.v1alpha1.MemberFailure;
import io.etcdpilot.operator.api.v1alpha1.Operation;
import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.EtcdAdmin;
import io.etcdpilot.operator.etcd.EtcdConnection;
import io.etcdpilot.operator.etcd.EtcdObserver;
import io.etcdpilot.operator.membership.MembershipPlanner;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.model.EtcdVersion;
import io.etcdpilot.operator.upgrade.VersionGate;
import io.etcdpilot.operator.restore.RestorePlan;
import io.etcdpilot.operator.pki.CertificateManager;
import io.etcdpilot.operator.pki.TlsMaterial;
import io.etcdpilot.operator.pki.TlsSettings;
import io.etcdpilot.operator.status.Conditions;
import io.etcdpilot.operator.status.StatusCalculator;
import io.etcdpilot.operator.validation.SpecValidator;
import io.etcdpilot.operator.validation.ImmutableFields;
import io.etcdpilot.operator.model.SpecViolation;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile: validate, certificates, static objects, observe etcd, at most one disruptive step
 * (a membership step from {@link MembershipActions}, else a restart from {@link RolloutActions}), write status
 * when it changed, requeue. It never blocks on long waits: pod and
 * StatefulSet events, or the timer, bring the next pass.
 */
@ControllerConfiguration(name = "etcdcluster")
public class EtcdClusterReconciler implements Reconciler<EtcdCluster> {
  private static final Logger log = LoggerFactory.getLogger(EtcdClusterReconciler.class);

  private final KubernetesClient client;
  private final EtcdObserver observer;
  private final OperatorSettings settings;
  private final SpecValidator validator = new SpecValidator();
  private final StatusCalculator statusCalculator = new StatusCalculator();
  private final StatusWriter statusWriter = new StatusWriter();
  private final ObjectApplier applier;
  private final CertificateManager certificates;
  private final EventRecorder events;
  private final MembershipBookkeeping bookkeeping;
  private final StepArbiter arbiter;
  private final StepExecutor executor;
  private final VersionStage versions;
  private final Clock clock;
  private final Requeue requeue;

  private final io.etcdpilot.operator.snapshot.SnapshotScheduling snapshots;

  public EtcdClusterReconciler(KubernetesClient client, EtcdObserver observer, EtcdAdmin admin,
      OperatorSettings settings, Clock clock) {
    this(client, observer, admin, settings, clock, new io.etcdpilot.operator.snapshot.SnapshotJobs(1));
  }

  private final io.etcdpilot.operator.metrics.ClusterMetrics metrics;

  public EtcdClusterReconciler(KubernetesClient client, EtcdObserver observer, EtcdAdmin admin,
      OperatorSettings settings, Clock clock, io.etcdpilot.operator.snapshot.SnapshotJobs snapshotJobs) {
    this(client, observer, admin, settings, clock, snapshotJobs,
        new io.etcdpilot.operator.metrics.ClusterMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
  }

  public EtcdClusterReconciler(KubernetesClient client, EtcdObserver observer, EtcdAdmin admin,
      OperatorSettings settings, Clock clock, io.etcdpilot.operator.snapshot.SnapshotJobs snapshotJobs,
      io.etcdpilot.operator.metrics.ClusterMetrics metrics) {
    this(client, observer, admin, settings, clock, snapshotJobs, metrics, new io.etcdpilot.operator.health.ReconcileWatch());
  }

  private final io.etcdpilot.operator.health.ReconcileWatch passes;

  /** @param passes where each pass is recorded while it runs (/healthz fails on a pass that never returns) */
  public EtcdClusterReconciler(KubernetesClient client, EtcdObserver observer, EtcdAdmin admin,
      OperatorSettings settings, Clock clock, io.etcdpilot.operator.snapshot.SnapshotJobs snapshotJobs,
      io.etcdpilot.operator.metrics.ClusterMetrics metrics, io.etcdpilot.operator.health.ReconcileWatch passes) {
    this.passes = passes;
    this.metrics = metrics;
    this.client = client;
    this.observer = observer;
    this.settings = settings;
    this.applier = new ObjectApplier(client);
    this.certificates = new CertificateManager();
    this.events = new EventRecorder(client);
    this.bookkeeping = new MembershipBookkeeping(client, applier);
    this.arbiter = new StepArbiter(new MembershipPlanner(settings.learnerDeadline(), settings.failedMemberDeadline()));
    this.executor = new StepExecutor(client, admin, applier, events);
    this.versions = new VersionStage(admin, settings.upgradeProgressDeadline());
    this.snapshots = new io.etcdpilot.operator.snapshot.SnapshotScheduling(client, snapshotJobs, settings.clusterDomain(),
        events);
    this.clock = clock;
    this.requeue = new Requeue(settings.steadyResync(), settings.busyResync());
  }

  @Override
  public List<EventSource<?, EtcdCluster>> prepareEventSources(EventSourceContext<EtcdCluster> context) {
    var clusters = context.getPrimaryCache();
    passes.watching(() -> (int) clusters.list().count());
    return KubeCache.eventSources(context);
  }

  @Override
  public UpdateControl<EtcdCluster> reconcile(EtcdCluster cluster, Context<EtcdCluster> context) throws Exception {
    try (var pass = passes.pass(); var lines = io.etcdpilot.operator.logging.LogFormat.forCluster(cluster.getMetadata().getNamespace(),
        cluster.getMetadata().getName())) {
      return reconcilePass(cluster, context);
    } catch (RuntimeException e) {
      // The namespace's deletion removes the cluster's objects before the cluster itself: nothing is to be rebuilt,
      // and the cluster's own deletion event comes next.
      if (!io.etcdpilot.operator.kube.NamespaceTerminating.causeOf(e)) throw e;
      log.info("{}/{}: its namespace is being deleted; nothing is recreated", cluster.getMetadata().getNamespace(),
          cluster.getMetadata().getName());
      return UpdateControl.noUpdate();
    }
  }

  private UpdateControl<EtcdCluster> reconcilePass(EtcdCluster cluster, Context<EtcdCluster> context) throws Exception {
    Instant now = clock.instant();
    String namespace = cluster.getMetadata().getNamespace();
    // Connections kept for clusters that are gone are closed (an in-memory look at the primary cache).
    Set<String> existing = context.getPrimaryCache().list()
        .map(c -> c.getMetadata().getNamespace() + "/" + c.getMetadata().getName()).collect(java.util.stream.Collectors.toSet());
    observer.retainClusters(existing);
    requeue.retain(existing);
    metrics.retain(existing);
    ClusterNames names = new ClusterNames(cluster.getMetadata().getName(), namespace, settings.clusterDomain());
    KubeCache cache = new KubeCache(context, cluster);
    ClusterState state = ClusterState.read(cache, names);
    List<SpecViolation> violations = new ArrayList<>(validator.validate(cluster.getSpec()));
    ConfigMap existingState = state.stateConfigMap();
    ClusterObjects objects = violations.isEmpty() ? new ClusterObjects(cluster, settings.clusterDomain()) : null;
    if (objects != null) {
      violations.addAll(immutableAfterBootstrap(objects, existingState));
    }
    // A cluster created from a snapshot: its members restore it before etcd starts (decided once, at creation).
    RestorePlan.Decision restore = objects == null ? null : RestorePlan.decide(cluster, existingState,
        name -> cache.get(io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot.class, name),
        name -> context.getPrimaryCache().get(new ResourceID(name, namespace)));
    if (restore != null) {
      violations.addAll(restore.invalid());
      if (restore.source() != null) objects = objects.restoring(restore.source(), restore.recordedSpec(), settings.agentImage());
    }
    TlsMaterial tls = null;
    TlsSettings tlsSettings = objects == null ? null : TlsSettings.of(cluster.getSpec().getTls());
    boolean paused = isPaused(cluster);
    StatefulSet existingSts = state.statefulSet();
    List<Pod> pods = state.pods();
    if (violations.isEmpty()) {
      if (objects.tls().enabled()) {
        try {
          tls = paused ? null : certificates.ensure(new CachedSecrets(client, cache, namespace), objects.ownerReference(), names,
              tlsSettings, memberNames(names, objects, existingSts),
              RolloutProgress.membersTrust(existingSts, pods), now, (reason, message) -> events.normal(cluster, reason, message));
        } catch (CertificateManager.CaUnavailable e) {
          violations.add(new SpecViolation(e.field(), e.reason()));
        }
      }
    }
    if (!violations.isEmpty()) {
      boolean wasStalled = cluster.getStatus() != null
          && Conditions.isTrue(cluster.getStatus().getConditions(), Conditions.STALLED);
      if (!wasStalled) {
        events.warning(cluster, "InvalidSpec", violations.toString());
      }
      EtcdClusterStatus status = statusCalculator.compute(new StatusCalculator.Inputs(cluster, names, violations,
          List.of(), ClusterObservation.unreachable("invalid spec"), 0, paused, null, null, null, true, now, List.of()));
      return withStatus(cluster, status, settings.steadyResync(), context);
    }

    // Observe etcd with the certificates of this pass, through the connection kept for the cluster.
    List<String> clientUrls = clientUrls(cluster, names, objects, existingSts);
    EtcdConnection connection = connection(namespace, names, objects, tls, cache);
    ClusterObservation observation = connection == null ? ClusterObservation.unreachable("no client certificate yet")
        : observer.observe(connection, clientUrls);

    // Once etcd answers the cluster exists, whatever the ConfigMap says: every starting member joins it from then on.
    boolean bootstrapped = state.bootstrapped() || observation.reachable();
    if (!paused && observation.reachable() && !state.bootstrapped()
        && (cluster.getStatus() == null || cluster.getStatus().getClusterID() == null)) {
      events.normal(cluster, "ClusterFormed", "etcd cluster " + observation.clusterIdHex() + " formed with "
          + observation.members().size() + " members");
    }
    String initialCluster = state.stateData().getOrDefault(ClusterObjects.INITIAL_CLUSTER_KEY,
        names.initialCluster(objects.replicas(), objects.tls()));
    // The version members are rendered with is the gate's decision; a refused spec.version leaves them as they are.
    List<SpecViolation> refused = new ArrayList<>(restore.refused());
    EtcdVersion renderedBefore = renderedVersion(existingSts);
    VersionGate.Decision version = VersionGate.decide(versions.facts(renderedBefore, observation, objects.version(),
        connection, clientUrls), objects.version(), settings.upgradeMinimums());
    if (version.refused()) refused.add(new SpecViolation("spec.version", version.refusal()));
    ClusterObjects rendered = version.render().equals(objects.version()) ? objects
        : new ClusterObjects(cluster, settings.clusterDomain(), version.render(), VersionStage.heldImage(cluster, existingSts));
    if (rendered != objects && objects.restore() != null) {
      rendered = rendered.restoring(objects.restore(), restore.recordedSpec(), settings.agentImage());
    }
    ConfigMap stateConfigMap = state.stateConfigMap();
    StatefulSet desiredSts = null;
    if (!paused) {
      desiredSts = desiredStatefulSet(cluster, rendered, existingSts, tls, refused);
      stateConfigMap = applyStaticObjects(cluster, objects, state, cache,
          bootstrapped ? ClusterObjects.STATE_EXISTING : ClusterObjects.STATE_NEW, initialCluster);
      existingSts = apply(cluster, "StatefulSet", desiredSts, existingSts, cache);
      if (renderedBefore != null && !renderedBefore.equals(version.render())) {
        events.normal(cluster, "UpgradeStarted", "etcd " + renderedBefore + " → " + version.render()
            + ": restarting members one at a time, leader last");
      }
    }

    if (!paused) {
      applyDisruptionBudget(cluster, objects, state, cache, observation, bootstrapped);
    }

    // Plan and act: at most one step per pass, from this pass's snapshot.
    List<io.etcdpilot.operator.upgrade.UpgradeProgress.MemberRun> rollMembers =
        VersionStage.members(existingSts, pods, observation);
    Operation operation = null;
    MemberFailure memberFailure = cluster.getStatus() == null ? null : cluster.getStatus().getMemberFailure();
    if (!paused && bootstrapped && existingSts != null && observation.reachable()) {
      stateConfigMap = bookkeeping.apply(objects, observation, state, stateConfigMap, cache);
      StepArbiter.Decision decision = arbiter.pick(new StepArbiter.Inputs(cluster, names, objects.replicas(),
          existingSts, state, observation, versions.roll(cluster, version, rollMembers)), now);
      StepExecutor.Outcome outcome = executor.execute(decision, new StepExecutor.Target(cluster, objects, state,
          existingSts, desiredSts, stateConfigMap, observation, connection, clientUrls, cache), now);
      operation = outcome.operation();
      memberFailure = outcome.failure();
      if (decision != null && decision.step().kind() != io.etcdpilot.operator.plan.Step.Kind.WAIT
          && decision.step().kind() != io.etcdpilot.operator.plan.Step.Kind.NOTHING) {
        metrics.step(namespace, names.cluster(), decision.step().kind().name().toLowerCase());
      }
    }

    CertificateStatus certStatus = tls == null ? null : new CertificateStatus(
        tls.caNotAfter().truncatedTo(ChronoUnit.SECONDS).toString(),
        tls.earliestLeafNotAfter().truncatedTo(ChronoUnit.SECONDS).toString(), tls.phase());
    var progress = versions.progress(cluster, version.render(), rollMembers, now);
    Operation operationNow = operation;
    EtcdClusterStatus status = statusCalculator.compute(new StatusCalculator.Inputs(cluster, names, violations,
        validator.warnings(cluster.getSpec()), observation, pods.size(), paused, operation, memberFailure, certStatus,
        objects.tls().enabled(), now, refused, progress.map(p -> VersionStage.status(p, operationNow)).orElse(null),
        progress.map(io.etcdpilot.operator.upgrade.UpgradeProgress.Progress::stuck).orElse(null),
        bootstrapped || objects.restore() == null ? null : restoreFailure(pods)));
    if (progress.isPresent() && progress.get().stuck() != null && !stalledFor(cluster, "UpgradeStuck")) {
      events.warning(cluster, "UpgradeStuck", progress.get().stuck());
    }
    // Snapshots: the schedule creates EtcdSnapshots (they stream elsewhere, off this thread); retention prunes.
    Instant nextSnapshot = paused ? null : snapshots.apply(cluster, cache.snapshots(names.cluster()), status, now);
    boolean ready = Conditions.isTrue(status.getConditions(), Conditions.READY) && operation == null;
    Duration requeue = this.requeue.next(namespace + "/" + names.cluster(), !ready, !status.equals(cluster.getStatus()));
    if (tls != null) {
      // Wake up in time to renew the first certificate that falls due.
      Duration untilRenewal = Duration.between(now, tls.earliestLeafNotAfter().minus(tlsSettings.leaves().renewBefore()));
      if (untilRenewal.compareTo(requeue) < 0) requeue = untilRenewal.isNegative() ? settings.busyResync() : untilRenewal.plusSeconds(1);
      // A PKI step waiting for certificates to reach the members goes on when they have had the time.
      if (tls.settlesAt() != null) {
        Duration untilSettled = Duration.between(now, tls.settlesAt()).plusMillis(500);
        if (untilSettled.compareTo(requeue) < 0) requeue = untilSettled;
      }
    }
    if (nextSnapshot != null) {
      Duration untilSnapshot = Duration.between(now, nextSnapshot).plusMillis(500);
      if (untilSnapshot.compareTo(requeue) < 0) requeue = untilSnapshot.isNegative() ? settings.busyResync() : untilSnapshot;
    }
    String versionBefore = cluster.getStatus() == null ? null : cluster.getStatus().getVersion();
    if (versionBefore != null && status.getVersion() != null && !versionBefore.equals(status.getVersion())
        && status.getVersion().equals(version.render().toString())) {
      events.normal(cluster, "UpgradeCompleted", "every member runs etcd " + status.getVersion());
    }
    metrics.observe(namespace, names.cluster(), status);
    return withStatus(cluster, status, requeue, context);
  }

  /**
   * Where the operator's client connects: the voters it last saw that still have a pod (learners refuse most
   * calls; ordinals need not be contiguous while a member is replaced), else every pod of the StatefulSet.
   */
  private static List<String> clientUrls(EtcdCluster cluster, ClusterNames names, ClusterObjects objects,
      StatefulSet sts) {
    int stsReplicas = sts != null && sts.getSpec().getReplicas() != null ? sts.getSpec().getReplicas() : objects.replicas();
    List<String> pods = IntStream.range(0, stsReplicas).mapToObj(names::member).toList();
    List<String> voters = cluster.getStatus() == null || cluster.getStatus().getMembers() == null ? List.of()
        : cluster.getStatus().getMembers().stream()
            .filter(m -> m.getRole() != io.etcdpilot.operator.api.v1alpha1.MemberStatus.Role.learner)
            .map(io.etcdpilot.operator.api.v1alpha1.MemberStatus::getName).filter(pods::contains).toList();
    return (voters.isEmpty() ? pods : voters).stream().map(m -> names.clientUrl(m, objects.tls())).toList();
  }

  /** The version the StatefulSet renders now (its annotation, else its image tag); null before it exists. */
  static EtcdVersion renderedVersion(StatefulSet sts) {
    if (sts == null) return null;
    String annotated = sts.getMetadata().getAnnotations() == null ? null
        : sts.getMetadata().getAnnotations().get(ClusterObjects.VERSION_ANNOTATION);
    return EtcdVersion.tryParse(annotated)
        .or(() -> EtcdVersion.ofImageTag(sts.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()))
        .orElse(null);
  }

  /** Versions the members report; one that does not parse (a custom build) is left out, never fails the pass. */
  static List<EtcdVersion> runningVersions(ClusterObservation observation) {
    return observation.members().stream().map(m -> EtcdVersion.tryParse(m.version())).flatMap(java.util.Optional::stream)
        .toList();
  }

  /** Fields that cannot change once members exist: URLs of every member would change with the scheme. */
  private static List<SpecViolation> immutableAfterBootstrap(ClusterObjects objects, ConfigMap state) {
    if (state == null || state.getData() == null) return List.of();
    String initial = state.getData().getOrDefault(ClusterObjects.INITIAL_CLUSTER_KEY, "");
    String scheme = state.getData().getOrDefault(ClusterObjects.URL_SCHEME_KEY,
        initial.isEmpty() ? objects.tls().scheme() : initial.substring(initial.indexOf('=') + 1, initial.indexOf("://")));
    if (!scheme.equals(objects.tls().scheme())) {
      return List.of(new SpecViolation("spec.tls.enabled",
          "cannot change on an existing cluster (its members' URLs use " + (objects.tls().enabled() ? "http" : "https") + ")"));
    }
    return List.of();
  }

  private static EtcdConnection connection(String namespace, ClusterNames names, ClusterObjects objects, TlsMaterial tls,
      KubeCache cache) {
    String key = namespace + "/" + names.cluster();
    if (!objects.tls().enabled()) return EtcdConnection.plain(key);
    if (tls != null) {
      return new EtcdConnection(key, objects.tls(), tls.trustBundlePem(), tls.clientCertPem(), tls.clientKeyPem());
    }
    // Paused: observe with what already exists, write nothing.
    Secret s = cache.get(Secret.class, names.operatorTlsSecret()).orElse(null);
    if (s == null) return null;
    var d = CertificateManager.decode(s);
    return new EtcdConnection(key, objects.tls(), d.get("ca.crt"), d.get("tls.crt"), d.get("tls.key"));
  }

  private static List<String> memberNames(ClusterNames names, ClusterObjects objects, StatefulSet sts) {
    int count = Math.max(objects.replicas(), sts == null || sts.getSpec().getReplicas() == null ? 0 : sts.getSpec().getReplicas());
    return IntStream.range(0, count).mapToObj(names::member).toList();
  }

  /**
   * The StatefulSet as this pass wants it. After bootstrap its size follows etcd's membership, never the spec directly
   * (growing it without adding a learner first would start a member etcd does not know), and a change the API server
   * refuses on every pass (422) is reported and the live value kept.
   */
  private StatefulSet desiredStatefulSet(EtcdCluster cluster, ClusterObjects objects, StatefulSet existingSts,
      TlsMaterial tls, List<SpecViolation> refused) {
    StatefulSet sts = objects.statefulSet(tls == null ? io.etcdpilot.operator.model.MemberTrust.NONE
        : new io.etcdpilot.operator.model.MemberTrust(tls.trustBundleHash(), tls.peerAllowedHostname()));
    if (existingSts == null) return sts;
    sts.getSpec().setReplicas(existingSts.getSpec().getReplicas());
    List<SpecViolation> refusedHere = ImmutableFields.refusedChanges(existingSts, sts);
    refused.addAll(refusedHere);
    // Only then: the live claim templates carry server defaults, which would change the hash of an unchanged spec.
    if (!refusedHere.isEmpty()) ImmutableFields.keepLive(existingSts, sts);
    if (refused.isEmpty()) return sts;
    boolean reported = cluster.getStatus() != null && Conditions.find(cluster.getStatus().getConditions(), Conditions.STALLED)
        .filter(c -> "ChangeRefused".equals(c.getReason()) && java.util.Objects.equals(c.getObservedGeneration(),
            cluster.getMetadata().getGeneration())).isPresent();
    if (!refused.isEmpty() && !reported) {
      boolean versionOnly = refused.stream().allMatch(r -> "spec.version".equals(r.field()));
      events.warning(cluster, versionOnly ? "UpgradeRefused" : "ChangeRefused", refused.toString());
    }
    return sts;
  }

  /** Writes the Services and the cluster-state ConfigMap; returns the ConfigMap as the API server now holds it. */
  private ConfigMap applyStaticObjects(EtcdCluster cluster, ClusterObjects objects, ClusterState state, KubeCache cache,
      String clusterState, String initialCluster) {
    apply(cluster, "Service", objects.peerService(), state.peerService(), cache);
    apply(cluster, "Service", objects.clientService(), state.clientService(), cache);
    return apply(cluster, "ConfigMap", objects.stateConfigMap(clusterState, initialCluster), state.stateConfigMap(), cache);
  }

  /**
   * The PodDisruptionBudget over the voters etcd reports now (before this pass's membership step, so a scale-in never
   * removes a member under a budget sized for fewer), and the voter label on their pods. Unreachable after bootstrap:
   * left as it is. Label writes are bookkeeping: one that fails only leaves the budget more cautious, so it is logged.
   */
  private void applyDisruptionBudget(EtcdCluster cluster, ClusterObjects objects, ClusterState state, KubeCache cache,
      ClusterObservation observation, boolean bootstrapped) {
    if (!observation.reachable()) {
      if (!bootstrapped) apply(cluster, "PodDisruptionBudget", objects.podDisruptionBudget(), state.disruptionBudget(), cache);
      return;
    }
    Set<String> voters = observation.members().stream().filter(m -> !m.learner() && m.started())
        .map(io.etcdpilot.operator.etcd.ObservedMember::name).collect(java.util.stream.Collectors.toSet());
    long voterCount = observation.members().stream().filter(m -> !m.learner()).count();
    apply(cluster, "PodDisruptionBudget", objects.podDisruptionBudget((int) voterCount), state.disruptionBudget(), cache);
    for (Pod p : state.pods()) {
      boolean voter = voters.contains(p.getMetadata().getName());
      boolean labelled = p.getMetadata().getLabels() != null
          && "true".equals(p.getMetadata().getLabels().get(ClusterNames.LABEL_VOTER));
      if (voter == labelled || p.getMetadata().getDeletionTimestamp() != null) continue;
      try {
        cache.label(client, p, ClusterNames.LABEL_VOTER, voter ? "true" : null);
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        log.warn("could not {} the voter label of pod {}/{}: {}", voter ? "set" : "remove", p.getMetadata().getNamespace(),
            p.getMetadata().getName(), e.getMessage());
      }
    }
  }

  /** Writes one object if it must be, says so in an Event, and returns it as the API server now holds it. */
  private <T extends HasMetadata> T apply(EtcdCluster cluster, String kind, T desired, T live, KubeCache cache) {
    ObjectApplier.Applied<T> applied = applier.apply(desired, live, cache);
    String name = desired.getMetadata().getName();
    switch (applied.outcome()) {
      case CREATED -> events.normal(cluster, "Created", "created " + kind + " " + name);
      case UPDATED -> events.normal(cluster, "Updated", "updated " + kind + " " + name);
      case DRIFT_REVERTED -> events.warning(cluster, "DriftReverted", kind + " " + name + " was changed outside etcdpilot ("
          + String.join(", ", applied.drifted()) + "); restored");
      default -> { }
    }
    return applied.object();
  }

  /** What a member's failed restore step said (the restore agent's last line), if one failed. */
  static String restoreFailure(List<Pod> pods) {
    for (Pod p : pods) {
      if (p.getStatus() == null || p.getStatus().getInitContainerStatuses() == null) continue;
      for (var cs : p.getStatus().getInitContainerStatuses()) {
        var t = cs.getLastState() != null && cs.getLastState().getTerminated() != null ? cs.getLastState().getTerminated()
            : cs.getState() != null ? cs.getState().getTerminated() : null;
        if (t == null || t.getExitCode() == null || t.getExitCode() == 0 || !cs.getName().startsWith("restore-")) continue;
        String message = t.getMessage() == null ? "exit code " + t.getExitCode() : t.getMessage().strip();
        String last = message.lines().reduce((a, b) -> b).orElse(message);
        return "member " + p.getMetadata().getName() + " could not restore the snapshot (" + cs.getName() + "): " + last
            + "; no member starts from it";
      }
    }
    return null;
  }

  /** Whether the last written status already says Stalled for this reason (so its Event is not repeated). */
  private static boolean stalledFor(EtcdCluster cluster, String reason) {
    return cluster.getStatus() != null && Conditions.find(cluster.getStatus().getConditions(), Conditions.STALLED)
        .filter(c -> "True".equals(c.getStatus()) && reason.equals(c.getReason())).isPresent();
  }

  private static boolean isPaused(EtcdCluster cluster) {
    return Boolean.TRUE.equals(cluster.getSpec() == null ? null : cluster.getSpec().getPaused());
  }

  /** The pass's one status write; a stale view is decided again soon (the change that made it stale brings an event too). */
  private UpdateControl<EtcdCluster> withStatus(EtcdCluster cluster, EtcdClusterStatus status, Duration requeue,
      Context<EtcdCluster> context) {
    StatusWriter.Outcome outcome = statusWriter.write(cluster, status, context);
    Duration next = outcome == StatusWriter.Outcome.STALE ? STALE_RETRY : requeue;
    return UpdateControl.<EtcdCluster>noUpdate().rescheduleAfter(next);
  }

  private static final Duration STALE_RETRY = Duration.ofMillis(200);

  @Override
  public ErrorStatusUpdateControl<EtcdCluster> updateErrorStatus(EtcdCluster cluster, Context<EtcdCluster> context,
      Exception e) {
    log.warn("reconcile of {}/{} failed: {}", cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(),
        e.toString());
    // Visible where users look: Ready=False with the error while JOSDK retries with back-off.
    try {
      statusWriter.write(cluster, statusCalculator.failed(cluster, failureMessage(e), clock.instant()), context);
    } catch (RuntimeException writeFailed) {
      log.warn("could not report the failure in the status of {}/{}: {}", cluster.getMetadata().getNamespace(),
          cluster.getMetadata().getName(), writeFailed.toString());
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  /** The error as a user should read it: the API server's own message when it gave one, else the exception's. */
  static String failureMessage(Exception e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t && !(t instanceof io.fabric8.kubernetes.client.KubernetesClientException)) {
      t = t.getCause();
    }
    if (t instanceof io.fabric8.kubernetes.client.KubernetesClientException k && k.getStatus() != null
        && k.getStatus().getMessage() != null) {
      return "API server answered " + k.getCode() + ": " + k.getStatus().getMessage();
    }
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }
}
