package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.kube.EventRecorder;
import io.etcdpilot.operator.kube.NamespaceTerminating;
import io.etcdpilot.operator.kube.PassEvents;
import io.etcdpilot.operator.logging.LogFormat;
import io.etcdpilot.operator.membership.MembershipPlanner;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.pki.CertificateManager;
import io.etcdpilot.operator.snapshot.SnapshotScheduling;
import io.etcdpilot.operator.status.StatusCalculator;
import io.etcdpilot.operator.validation.SpecValidator;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an EtcdCluster into a running etcd cluster, one pass at a time, as a chain of stages that hand each other
 * immutable records: read the caches → render → observe etcd → version gate → apply static objects → plan and act (at
 * most one disruptive step) → report → write. A pass never blocks on long waits: pod and StatefulSet events, or the
 * timer, bring the next one.
 */
@ControllerConfiguration(name = "etcdcluster")
public class EtcdClusterReconciler implements Reconciler<EtcdCluster> {
  private static final Logger log = LoggerFactory.getLogger(EtcdClusterReconciler.class);
  /** A status decided from a stale copy is decided again soon (the change that made it stale brings an event too). */
  private static final Duration STALE_RETRY = Duration.ofMillis(200);

  private final Dependencies deps;
  private final RenderStage render;
  private final ObserveStage observe;
  private final VersionStage versions;
  private final ApplyStage apply;
  private final ActStage act;
  private final ReportStage report;
  private final EventRecorder events;
  private final StatusCalculator statusCalculator = new StatusCalculator();
  private final StatusWriter statusWriter = new StatusWriter();
  private final Requeue requeue;

  public EtcdClusterReconciler(Dependencies deps) {
    OperatorSettings settings = deps.settings();
    ObjectApplier applier = new ObjectApplier(deps.client());
    this.deps = deps;
    this.events = new EventRecorder(deps.client());
    this.render = new RenderStage(new SpecValidator(settings.snapshotEndpoints()), new CertificateManager(), settings);
    this.observe = new ObserveStage(deps.observer());
    this.versions = new VersionStage(deps.admin(), settings);
    this.apply = new ApplyStage(deps.client(), applier);
    SnapshotScheduling snapshotScheduling = new SnapshotScheduling(deps.client(), deps.snapshotJobs(),
        deps.snapshotTaker(), events);
    this.act = new ActStage(new MembershipBookkeeping(deps.client(), applier),
        new StepArbiter(new MembershipPlanner(settings.learnerDeadline(), settings.failedMemberDeadline())),
        new StepExecutor(deps.client(), deps.admin(), applier, deps.fence(), deps.clock()), versions,
        snapshotScheduling, new RecoverySteps(deps.client(), applier, snapshotScheduling, settings.agentImage()),
        new DrillSteps(deps.client(), settings.agentImage()));
    this.report = new ReportStage(statusCalculator, versions);
    this.requeue = new Requeue(settings.steadyResync(), settings.busyResync());
  }

  @Override
  public List<EventSource<?, EtcdCluster>> prepareEventSources(EventSourceContext<EtcdCluster> context) {
    var clusters = context.getPrimaryCache();
    deps.passes().watching(() -> (int) clusters.list().count());
    return KubeCache.eventSources(context);
  }

  @Override
  public UpdateControl<EtcdCluster> reconcile(EtcdCluster cluster, Context<EtcdCluster> context) throws Exception {
    try (var pass = deps.passes().pass(); var lines = LogFormat.forCluster(cluster.getMetadata().getNamespace(),
        cluster.getMetadata().getName())) {
      return reconcilePass(cluster, context);
    } catch (RuntimeException e) {
      // The namespace's deletion removes the cluster's objects before the cluster itself: nothing is to be rebuilt,
      // and the cluster's own deletion event comes next.
      if (!NamespaceTerminating.causeOf(e)) throw e;
      log.info("{}/{}: its namespace is being deleted; nothing is recreated", cluster.getMetadata().getNamespace(),
          cluster.getMetadata().getName());
      return UpdateControl.noUpdate();
    }
  }

  /** The pass, stage by stage; each stage's output is the next one's input. */
  private UpdateControl<EtcdCluster> reconcilePass(EtcdCluster cluster, Context<EtcdCluster> context) throws Exception {
    Instant now = deps.clock().instant();
    forgetDeletedClusters(context);
    KubeCache cache = new KubeCache(context, cluster);
    PassEvents passEvents = new PassEvents();
    Report outcome;
    try {
      ClusterState state = ClusterState.read(cache, cluster, names(cluster),
          name -> context.getPrimaryCache().get(new ResourceID(name, cluster.getMetadata().getNamespace())));
      Rendering rendering = render.render(state, new CachedSecrets(deps.client(), cache, state.names().namespace()),
          passEvents, now);
      if (rendering instanceof Rendering.Desired desired) {
        Observation seen = observe.observe(desired);
        Versioned versioned = versions.gate(desired, seen);
        Applied applied = apply.apply(versioned, seen, cache, passEvents);
        StepResult result = act.planAndAct(applied, seen, cache, passEvents, now);
        outcome = report.report(result, seen, passEvents, now);
      } else {
        outcome = report.invalid((Rendering.Invalid) rendering, passEvents, now);
      }
    } finally {
      // Before the status: whoever sees the status change finds its Events. Also when the pass failed part way.
      events.record(cluster, passEvents);
    }
    return write(outcome, context, now);
  }

  /** The pass's one status write, its metrics, and when to look again. */
  private UpdateControl<EtcdCluster> write(Report outcome, Context<EtcdCluster> context, Instant now) {
    String namespace = outcome.names().namespace();
    deps.metrics().observe(namespace, outcome.names().cluster(), outcome.status());
    deps.metrics().maintenance(namespace, outcome.names().cluster(),
        outcome.cluster().getStatus() == null ? null : outcome.cluster().getStatus().getMaintenance(),
        outcome.status().getMaintenance());
    outcome.stepTaken().ifPresent(kind -> deps.metrics().step(namespace, outcome.names().cluster(),
        kind.name().toLowerCase()));
    Duration next = requeue.next(namespace + "/" + outcome.names().cluster(), outcome.wakeups(), now);
    StatusWriter.Outcome written = statusWriter.write(outcome.cluster(), outcome.status(), context);
    return UpdateControl.<EtcdCluster>noUpdate().rescheduleAfter(written == StatusWriter.Outcome.STALE ? STALE_RETRY : next);
  }

  /** Connections, back-offs and meters kept for clusters that are gone are let go (an in-memory look). */
  private void forgetDeletedClusters(Context<EtcdCluster> context) {
    Set<String> existing = context.getPrimaryCache().list()
        .map(c -> c.getMetadata().getNamespace() + "/" + c.getMetadata().getName()).collect(Collectors.toSet());
    deps.observer().retainClusters(existing);
    requeue.retain(existing);
    report.retain(existing);
    deps.metrics().retain(existing);
  }

  private ClusterNames names(EtcdCluster cluster) {
    return new ClusterNames(cluster.getMetadata().getName(), cluster.getMetadata().getNamespace(),
        deps.settings().clusterDomain());
  }

  @Override
  public ErrorStatusUpdateControl<EtcdCluster> updateErrorStatus(EtcdCluster cluster, Context<EtcdCluster> context,
      Exception e) {
    log.warn("reconcile of {}/{} failed: {}", cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(),
        e.toString());
    // Visible where users look: Ready=False with the error while JOSDK retries with back-off.
    try {
      statusWriter.write(cluster, statusCalculator.failed(cluster, failureMessage(e), deps.clock().instant()), context);
    } catch (RuntimeException writeFailed) {
      log.warn("could not report the failure in the status of {}/{}: {}", cluster.getMetadata().getNamespace(),
          cluster.getMetadata().getName(), writeFailed.toString());
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  /** The error as a user should read it: the API server's own message when it gave one, else the exception's. */
  static String failureMessage(Exception e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t && !(t instanceof KubernetesClientException)) {
      t = t.getCause();
    }
    if (t instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null) {
      return "API server answered " + k.getCode() + ": " + k.getStatus().getMessage();
    }
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }
}
