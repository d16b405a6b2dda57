package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.BackupStatus;
import io.etcdpilot.operator.api.v1alpha1.CertificateStatus;
import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterStatus;
import io.etcdpilot.operator.drill.DrillReport;
import io.etcdpilot.operator.kube.PassEvents;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.PodFacts;
import io.etcdpilot.operator.pki.TlsMaterial;
import io.etcdpilot.operator.snapshot.SnapshotPlan;
import io.etcdpilot.operator.snapshot.SnapshotScheduling;
import io.etcdpilot.operator.status.Conditions;
import io.etcdpilot.operator.status.StatusCalculator;
import io.etcdpilot.operator.upgrade.UpgradeProgress;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Report: from what the pass saw and did to the status a user reads, the Events that tell what changed (a cluster
 * formed, an upgrade stuck or completed, an invalid spec), and when the pass wants to look again. Writes nothing.
 */
final class ReportStage {
  private final StatusCalculator calculator;
  private final VersionStage versions;
  /** Per cluster, the foreign pods already reported: each is told once, not on every pass. */
  private final Map<String, Set<String>> reportedForeign = new ConcurrentHashMap<>();

  ReportStage(StatusCalculator calculator, VersionStage versions) {
    this.calculator = calculator;
    this.versions = versions;
  }

  /** An invalid spec: said once in an Event, kept in status until it is fixed. */
  Report invalid(Rendering.Invalid invalid, PassEvents events, Instant now) {
    EtcdCluster cluster = invalid.state().cluster();
    boolean wasStalled = cluster.getStatus() != null
        && Conditions.isTrue(cluster.getStatus().getConditions(), Conditions.STALLED);
    if (!wasStalled) events.warning("InvalidSpec", invalid.violations().toString());
    EtcdClusterStatus status = calculator.invalid(cluster, invalid.state().names(), invalid.violations(), now);
    if (status.getBackup() == null) carryDrills(cluster, status);
    return new Report(cluster, invalid.state().names(), status, Optional.empty(),
        Report.Wakeups.steady(!status.equals(cluster.getStatus())));
  }

  Report report(StepResult result, Observation seen, PassEvents events, Instant now) {
    Versioned versioned = result.applied().versioned();
    Rendering.Desired desired = versioned.desired();
    ClusterState state = desired.state();
    EtcdCluster cluster = state.cluster();
    reportForeignPods(state, events);
    if (!desired.paused() && seen.etcd().reachable() && !state.bootstrapped()
        && (cluster.getStatus() == null || cluster.getStatus().getClusterID() == null)) {
      events.normal("ClusterFormed", "etcd cluster " + seen.etcd().clusterIdHex() + " formed with "
          + seen.etcd().members().size() + " members");
    }
    Optional<UpgradeProgress.Progress> progress = versions.progress(cluster, versioned.version().render(), result.roll(),
        now);
    String stuck = progress.map(UpgradeProgress.Progress::stuck).orElse(null);
    EtcdClusterStatus status = calculator.compute(new StatusCalculator.Inputs(cluster, state.names(), seen.etcd(),
        state.pods().size(), desired.paused(), desired.objects().tls().enabled(),
        new StatusCalculator.Work(result.operation(), result.memberFailure(),
            desired.tls().map(ReportStage::certificates).orElse(null),
            progress.map(p -> VersionStage.status(p, result.operation(), state)).orElse(null), result.maintenance()),
        new StatusCalculator.Problems(desired.warnings(), result.applied().refused(), stuck,
            seen.bootstrapped() || desired.objects().restore() == null ? null : restoreFailure(state.pods()),
            state.pods().stream().map(PodFacts::startProblem).flatMap(Optional::stream).toList(),
            result.maintenanceFinding(), result.recoveryAdvice()),
        now));
    if (stuck != null && !stalledFor(cluster, "UpgradeStuck")) events.warning("UpgradeStuck", stuck);
    result.snapshots().ifPresent(plan -> SnapshotScheduling.report(plan, cluster, status, now));
    // Drills are reported from their own record; while nothing could act, the last one stays as it was.
    result.drill().ifPresentOrElse(plan -> DrillReport.report(plan, cluster, status, now), () -> carryDrills(cluster,
        status));
    String versionBefore = cluster.getStatus() == null ? null : cluster.getStatus().getVersion();
    if (versionBefore != null && status.getVersion() != null && !versionBefore.equals(status.getVersion())
        && status.getVersion().equals(versioned.version().render().toString())) {
      events.normal("UpgradeCompleted", "every member runs etcd " + status.getVersion());
    }
    boolean ready = Conditions.isTrue(status.getConditions(), Conditions.READY) && result.operation() == null;
    Optional<TlsMaterial> tls = desired.tls();
    return new Report(cluster, state.names(), status, result.taken(), new Report.Wakeups(!ready,
        !status.equals(cluster.getStatus()),
        tls.map(t -> t.earliestLeafNotAfter().minus(desired.tlsSettings().leaves().renewBefore())),
        tls.map(TlsMaterial::settlesAt),
        Stream.of(result.snapshots().map(SnapshotPlan.Plan::nextSnapshotTime),
                Optional.ofNullable(status.getBackup()).map(BackupStatus::getNextDrillTime))
            .flatMap(Optional::stream).filter(Objects::nonNull).map(Instant::parse).min(Instant::compareTo),
        result.applied().writesRefused()));
  }

  private static void carryDrills(EtcdCluster cluster, EtcdClusterStatus status) {
    if (cluster.getStatus() == null) return;
    status.setBackup(cluster.getStatus().getBackup());
    Conditions.find(cluster.getStatus().getConditions(), DrillReport.CONDITION).ifPresent(c -> {
      List<io.fabric8.kubernetes.api.model.Condition> conditions = new java.util.ArrayList<>(status.getConditions());
      conditions.add(c);
      status.setConditions(conditions);
    });
  }

  /** Forgets clusters that no longer exist. */
  void retain(Set<String> clusters) {
    reportedForeign.keySet().retainAll(clusters);
  }

  /** A pod with the cluster's label that is no member pod: ignored by every stage, and said once. */
  private void reportForeignPods(ClusterState state, PassEvents events) {
    String key = state.names().namespace() + "/" + state.names().cluster();
    Set<String> now = state.foreignPods().stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
    Set<String> before = reportedForeign.getOrDefault(key, Set.of());
    for (Pod p : state.foreignPods()) {
      if (before.contains(p.getMetadata().getUid())) continue;
      events.warning("ForeignPodIgnored", "pod " + p.getMetadata().getName() + " carries label "
          + ClusterNames.LABEL_CLUSTER + "=" + state.names().cluster() + " but is not a member pod of StatefulSet "
          + state.names().statefulSet() + ": it is never counted, restarted or replaced as a member");
    }
    if (now.isEmpty()) reportedForeign.remove(key);
    else reportedForeign.put(key, now);
  }

  private static CertificateStatus certificates(TlsMaterial tls) {
    return new CertificateStatus(tls.caNotAfter().truncatedTo(ChronoUnit.SECONDS).toString(),
        tls.earliestLeafNotAfter().truncatedTo(ChronoUnit.SECONDS).toString(), tls.phase());
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
}
