package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.Operation;
import io.etcdpilot.operator.api.v1alpha1.UpgradeStatus;
import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.EtcdAdmin;
import io.etcdpilot.operator.etcd.EtcdConnection;
import io.etcdpilot.operator.etcd.ObservedMember;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.model.EtcdVersion;
import io.etcdpilot.operator.model.SpecViolation;
import io.etcdpilot.operator.model.PodFacts;
import io.etcdpilot.operator.plan.OperationType;
import io.etcdpilot.operator.plan.Step;
import io.etcdpilot.operator.snapshot.UpgradeSnapshot;
import io.etcdpilot.operator.upgrade.UpgradeProgress;
import io.etcdpilot.operator.upgrade.VersionGate;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The version gate, right after observing (it decides from the versions members run): which version members are
 * rendered with this pass, and what the arbiter and the status need of a version change in progress.
 */
final class VersionStage {
  private static final Logger log = LoggerFactory.getLogger(VersionStage.class);

  private final EtcdAdmin admin;
  private final OperatorSettings settings;

  VersionStage(EtcdAdmin admin, OperatorSettings settings) {
    this.admin = admin;
    this.settings = settings;
  }

  /** The objects at the version the gate allows; a refused {@code spec.version} leaves members as they are. */
  Versioned gate(Rendering.Desired desired, Observation seen) {
    EtcdCluster cluster = desired.cluster();
    StatefulSet live = desired.state().statefulSet();
    EtcdVersion renderedBefore = renderedVersion(live);
    EtcdVersion wanted = desired.objects().version();
    VersionGate.Decision decision = VersionGate.decide(facts(cluster, renderedBefore, seen.etcd(), wanted,
        seen.connection().orElse(null), seen.clientUrls()), wanted, settings.upgradeMinimums());
    List<SpecViolation> refused = new ArrayList<>(desired.restore().refused());
    if (decision.refused()) refused.add(new SpecViolation("spec.version", decision.refusal()));
    // A change of minor version starts with a way back: the snapshot taken for it (with a destination to take it to).
    boolean changing = renderedBefore != null && !decision.refused()
        && (!decision.render().equals(renderedBefore) || decision.prerequisite() instanceof Step.EnableDowngrade);
    UpgradeSnapshot.Gate snapshot = changing
        ? UpgradeSnapshot.gate(cluster, renderedBefore, wanted, desired.state().snapshots())
        : new UpgradeSnapshot.Gate(null, false, null);
    if (snapshot.hold() != null) {
      decision = new VersionGate.Decision(renderedBefore, null, new Step.Wait(snapshot.hold()));
    }
    ClusterObjects objects = desired.objects();
    if (!decision.render().equals(wanted)) {
      objects = new ClusterObjects(cluster, settings.clusterDomain(), decision.render(), heldImage(cluster, live))
          .sizedTo(desired.objects().volumeSize());
      if (desired.objects().restore() != null) {
        objects = objects.restoring(desired.objects().restore(), desired.restore().recordedSpec(), settings.agentImage());
      }
    }
    return new Versioned(desired, objects, decision, renderedBefore, List.copyOf(refused), snapshot);
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
    return observation.members().stream().map(m -> EtcdVersion.tryParse(m.version())).flatMap(Optional::stream)
        .toList();
  }

  /**
   * What the gate decides from: the versions members run, and for a member that does not answer now the version it
   * last reported (kept in status); asks etcd whether authentication is on only for a 3.4 → 3.5 step.
   */
  private VersionGate.Facts facts(EtcdCluster cluster, EtcdVersion rendered, ClusterObservation observation,
      EtcdVersion wanted, EtcdConnection connection, List<String> clientUrls) {
    List<EtcdVersion> running = new ArrayList<>(runningVersions(observation));
    List<String> unknown = new ArrayList<>();
    for (ObservedMember m : observation.members()) {
      if (m.reachable()) continue;
      Optional<EtcdVersion> last = lastReported(cluster, m.idHex());
      if (last.isPresent()) running.add(last.get());
      else unknown.add(m.started() ? m.name() : "member " + m.idHex());
    }
    boolean everyMemberAnswered = observation.reachable() && observation.members().stream().allMatch(ObservedMember::reachable);
    List<EtcdVersion> storage = observation.members().stream().map(m -> EtcdVersion.tryParse(m.storageVersion()))
        .flatMap(Optional::stream).toList();
    EtcdVersion downgradeTarget = observation.members().stream().map(m -> EtcdVersion.tryParse(m.downgradeTarget()))
        .flatMap(Optional::stream).findFirst().orElse(null);
    boolean auth = false;
    if (VersionGate.asksAboutAuth(rendered, running, wanted)) {
      try {
        auth = !observation.reachable() || admin.authEnabled(connection, clientUrls);
      } catch (Exception e) {
        log.info("could not learn whether authentication is enabled: {}", e.toString());
        auth = true; // unknown: refuse rather than roll a 3.4 cluster with auth into a broken WAL
      }
    }
    return new VersionGate.Facts(rendered, running, everyMemberAnswered, storage, downgradeTarget, auth,
        List.copyOf(unknown));
  }

  /** The version a member reported in the last status written (kept there while it does not answer). */
  private static Optional<EtcdVersion> lastReported(EtcdCluster cluster, String idHex) {
    if (cluster.getStatus() == null || cluster.getStatus().getMembers() == null) return Optional.empty();
    return cluster.getStatus().getMembers().stream().filter(m -> idHex.equals(m.getId()))
        .map(m -> EtcdVersion.tryParse(m.getVersion())).flatMap(Optional::stream).findFirst();
  }

  /**
   * The image members keep while the gate holds them back from {@code spec.version}: the live one when the spec names
   * its own image (that image runs the spec's version); null (from the version) otherwise.
   */
  static String heldImage(EtcdCluster cluster, StatefulSet live) {
    String custom = cluster.getSpec().getImage();
    if (custom == null || custom.isBlank() || live == null) return null;
    return live.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  /** What the arbiter needs of the version change: etcd's step first, what restarts are part of, members held. */
  StepArbiter.Roll roll(EtcdCluster cluster, VersionGate.Decision decision, List<UpgradeProgress.MemberRun> members) {
    String clusterVersion = cluster.getStatus() == null ? null : cluster.getStatus().getVersion();
    EtcdVersion running = EtcdVersion.tryParse(clusterVersion).orElse(null);
    // Held before it starts (a snapshot to take first): it is still the change the spec asks for.
    EtcdVersion toward = decision.prerequisite() instanceof Step.Wait
        ? EtcdVersion.tryParse(cluster.getSpec().getVersion()).orElse(decision.render()) : decision.render();
    OperationType type = running == null || running.equals(toward) ? OperationType.RollingRestart
        : toward.compareTo(running) < 0 && running.minor() != toward.minor() ? OperationType.Downgrade
        : OperationType.Upgrade;
    return new StepArbiter.Roll(decision.prerequisite(), type,
        UpgradeProgress.held(decision.render(), clusterVersion, members));
  }

  /** How far the version change has come, for status; empty when every member runs the rendered version. */
  Optional<UpgradeProgress.Progress> progress(EtcdCluster cluster, EtcdVersion rendered,
      List<UpgradeProgress.MemberRun> members, Instant now) {
    String clusterVersion = cluster.getStatus() == null ? null : cluster.getStatus().getVersion();
    UpgradeStatus previous = cluster.getStatus() == null ? null : cluster.getStatus().getUpgrade();
    String startedFrom = previous != null && rendered.toString().equals(previous.getTo()) ? previous.getFrom() : null;
    return UpgradeProgress.of(rendered, clusterVersion, startedFrom, members, settings.upgradeProgressDeadline(), now);
  }

  /** {@code status.upgrade}: the progress, and what it waits on (the stuck member, else this pass's operation). */
  static UpgradeStatus status(UpgradeProgress.Progress p, Operation operation, ClusterState state) {
    String waitingOn = p.stuck() != null ? p.stuck()
        : operation == null ? null
        : "waiting".equals(operation.getTarget()) ? operation.getMessage()
        : operation.getTarget() + ": " + operation.getMessage();
    UpgradeStatus s = new UpgradeStatus(p.from(), p.to().toString(), p.done(), p.total(), waitingOn);
    String before = UpgradeSnapshot.name(state.cluster(), p.to());
    if (state.snapshots().stream().anyMatch(x -> before.equals(x.getMetadata().getName()))) s.setSnapshot(before);
    return s;
  }

  /** Member pods as the roll sees them; none counts as on the rendered template before the StatefulSet caught up. */
  static List<UpgradeProgress.MemberRun> members(StatefulSet sts, List<Pod> pods, ClusterObservation observation) {
    boolean caughtUp = sts != null && sts.getStatus() != null && sts.getStatus().getUpdateRevision() != null
        && sts.getStatus().getObservedGeneration() != null
        && sts.getStatus().getObservedGeneration() >= sts.getMetadata().getGeneration();
    String updateRevision = caughtUp ? sts.getStatus().getUpdateRevision() : null;
    return pods.stream().map(p -> {
      String name = p.getMetadata().getName();
      String version = observation.members().stream().filter(m -> name.equals(m.name()) && m.reachable())
          .map(ObservedMember::version).findFirst().orElse(null);
      return new UpgradeProgress.MemberRun(name, updateRevision != null && updateRevision.equals(PodFacts.revision(p)),
          PodFacts.ready(p), PodFacts.created(p), version, PodFacts.waiting(p).orElse(null));
    }).toList();
  }
}
