package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.Operation;
import io.etcdpilot.operator.api.v1alpha1.UpgradeStatus;
import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.EtcdAdmin;
import io.etcdpilot.operator.etcd.EtcdConnection;
import io.etcdpilot.operator.etcd.ObservedMember;
import io.etcdpilot.operator.model.EtcdVersion;
import io.etcdpilot.operator.model.PodFacts;
import io.etcdpilot.operator.plan.OperationType;
import io.etcdpilot.operator.upgrade.UpgradeProgress;
import io.etcdpilot.operator.upgrade.VersionGate;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The version side of a pass, from the pass's snapshot to what the gate, the arbiter and the status need: the facts the
 * version gate decides from, the image a held-back member keeps, and how far a version change has come.
 */
final class VersionStage {
  private static final Logger log = LoggerFactory.getLogger(VersionStage.class);

  private final EtcdAdmin admin;
  private final Duration progressDeadline;

  VersionStage(EtcdAdmin admin, Duration progressDeadline) {
    this.admin = admin;
    this.progressDeadline = progressDeadline;
  }

  /** What the gate decides from; asks etcd whether authentication is on only for a 3.4 → 3.5 step. */
  VersionGate.Facts facts(EtcdVersion rendered, ClusterObservation observation, EtcdVersion wanted,
      EtcdConnection connection, List<String> clientUrls) {
    List<EtcdVersion> running = EtcdClusterReconciler.runningVersions(observation);
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
    return new VersionGate.Facts(rendered, running, everyMemberAnswered, storage, downgradeTarget, auth);
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
    OperationType type = running == null || running.equals(decision.render()) ? OperationType.RollingRestart
        : decision.render().compareTo(running) < 0 && running.minor() != decision.render().minor() ? OperationType.Downgrade
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
    return UpgradeProgress.of(rendered, clusterVersion, startedFrom, members, progressDeadline, now);
  }

  /** {@code status.upgrade}: the progress, and what it waits on (the stuck member, else this pass's operation). */
  static UpgradeStatus status(UpgradeProgress.Progress p, Operation operation) {
    String waitingOn = p.stuck() != null ? p.stuck()
        : operation == null ? null
        : "waiting".equals(operation.getTarget()) ? operation.getMessage()
        : operation.getTarget() + ": " + operation.getMessage();
    return new UpgradeStatus(p.from(), p.to().toString(), p.done(), p.total(), waitingOn);
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
