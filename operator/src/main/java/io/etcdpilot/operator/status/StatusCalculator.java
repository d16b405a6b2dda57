package io.etcdpilot.operator.status;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.CertificateStatus;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterStatus;
import io.etcdpilot.operator.api.v1alpha1.MaintenanceStatus;
import io.etcdpilot.operator.api.v1alpha1.NoSpaceRecovery;
import io.etcdpilot.operator.api.v1alpha1.MemberFailure;
import io.etcdpilot.operator.api.v1alpha1.MemberStatus;
import io.etcdpilot.operator.api.v1alpha1.Operation;
import io.etcdpilot.operator.api.v1alpha1.UpgradeStatus;
import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.EtcdAlarm;
import io.etcdpilot.operator.maintenance.MaintenanceRecords;
import io.etcdpilot.operator.etcd.ObservedMember;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.EtcdVersion;
import io.etcdpilot.operator.model.SlowDisks;
import io.etcdpilot.operator.model.SpecViolation;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns one reconcile's observations into the status a user sees. Pure: the same inputs give an equal
 * status, so the reconciler can skip the write when nothing a user would notice has changed. Fast-moving
 * numbers (raft index, revision) are deliberately left out; db size is rounded.
 */
public final class StatusCalculator {

  /**
   * Everything the status of a valid spec is derived from.
   *
   * @param podsExisting member pods that exist
   * @param paused {@code spec.paused}: observed only
   */
  public record Inputs(EtcdCluster cluster, ClusterNames names, ClusterObservation observation, int podsExisting,
      boolean paused, boolean tlsEnabled, Work work, Problems problems, Instant now) {}

  /**
   * What the operator is doing.
   *
   * @param operation the step in flight; null when none is
   * @param memberFailure the last member that failed to join; null when none did
   * @param certificates expiry dates; null with TLS off (the last reported stay)
   * @param upgrade the version change in progress; null when none is
   * @param maintenance the quota, defragmentations and NOSPACE recoveries; null: as last reported
   */
  public record Work(Operation operation, MemberFailure memberFailure, CertificateStatus certificates,
      UpgradeStatus upgrade, MaintenanceStatus maintenance) {
    public Work(Operation operation, MemberFailure memberFailure, CertificateStatus certificates, UpgradeStatus upgrade) {
      this(operation, memberFailure, certificates, upgrade, null);
    }

    public static Work idle() {
      return new Work(null, null, null, null, null);
    }
  }

  /**
   * What keeps the spec from being carried out as written.
   *
   * @param warnings spec choices that work but are unwise (even sizes)
   * @param refused changes not carried out because the live objects cannot take them; the rest of the pass went on
   * @param upgradeStuck why the version change is stuck; null when it is not
   * @param restoreFailure why the members could not restore the snapshot the cluster is created from; null when they could
   * @param podsNotStarting member pods that cannot start, in Kubernetes' words (unschedulable, image not pulled)
   * @param maintenanceFinding what maintenance cannot do by itself (a rule that fails, live data above the quota);
   *     null when nothing
   * @param recoveryAdvice how to recover a quorum lost for good (null when it is not)
   */
  public record Problems(List<String> warnings, List<SpecViolation> refused, String upgradeStuck, String restoreFailure,
      List<String> podsNotStarting, String maintenanceFinding, String recoveryAdvice) {
    public Problems {
      warnings = warnings == null ? List.of() : warnings;
      refused = refused == null ? List.of() : refused;
      podsNotStarting = podsNotStarting == null ? List.of() : podsNotStarting;
    }

    public Problems(List<String> warnings, List<SpecViolation> refused, String upgradeStuck, String restoreFailure,
        List<String> podsNotStarting) {
      this(warnings, refused, upgradeStuck, restoreFailure, podsNotStarting, null, null);
    }

    public Problems(List<String> warnings, List<SpecViolation> refused, String upgradeStuck, String restoreFailure,
        List<String> podsNotStarting, String maintenanceFinding) {
      this(warnings, refused, upgradeStuck, restoreFailure, podsNotStarting, maintenanceFinding, null);
    }

    public static Problems none() {
      return new Problems(List.of(), List.of(), null, null, List.of(), null, null);
    }
  }

  /**
   * The status after a pass failed: what was last observed stays, {@code Ready=False} and {@code Reconciling=True}
   * carry the error (JOSDK retries with back-off), other conditions are kept.
   */
  public EtcdClusterStatus failed(EtcdCluster cluster, String error, Instant now) {
    EtcdClusterStatus previous = cluster.getStatus() == null ? new EtcdClusterStatus() : cluster.getStatus();
    Long generation = cluster.getMetadata().getGeneration();
    EtcdClusterStatus s = Serialization.clone(previous);
    String message = error == null || error.isBlank() ? "unknown error" : error;
    if (message.length() > 512) message = message.substring(0, 512) + "…";
    List<Condition> c = new ArrayList<>();
    c.add(Conditions.next(previous.getConditions(), Conditions.READY, false, "ReconcileError", message, generation, now));
    c.add(Conditions.next(previous.getConditions(), Conditions.RECONCILING, true, "ReconcileError",
        "retrying after: " + message, generation, now));
    if (previous.getConditions() != null) {
      previous.getConditions().stream()
          .filter(x -> !Conditions.READY.equals(x.getType()) && !Conditions.RECONCILING.equals(x.getType()))
          .forEach(c::add);
    }
    s.setConditions(c);
    return s;
  }

  /** An invalid spec: reported, and the last observed facts kept; nothing else is touched. */
  public EtcdClusterStatus invalid(EtcdCluster cluster, ClusterNames names, List<SpecViolation> violations, Instant now) {
    EtcdClusterStatus previous = cluster.getStatus() == null ? new EtcdClusterStatus() : cluster.getStatus();
    List<Condition> prevConditions = previous.getConditions();
    Long generation = cluster.getMetadata().getGeneration();
    EtcdClusterStatus s = Serialization.clone(previous);
    s.setSelector(names.selector());
    s.setObservedGeneration(generation);
    String msg = violations.stream().map(SpecViolation::toString).collect(Collectors.joining("; "));
    List<Condition> c = new ArrayList<>();
    c.add(Conditions.next(prevConditions, Conditions.STALLED, true, "InvalidSpec", msg, generation, now));
    c.add(Conditions.find(prevConditions, Conditions.READY)
        .orElse(Conditions.next(prevConditions, Conditions.READY, false, "InvalidSpec", msg, generation, now)));
    c.add(Conditions.next(prevConditions, Conditions.RECONCILING, false, "InvalidSpec",
        "waiting for a valid spec", generation, now));
    s.setConditions(c);
    return s;
  }

  public EtcdClusterStatus compute(Inputs in) {
    EtcdCluster cluster = in.cluster();
    EtcdClusterStatus previous = cluster.getStatus() == null ? new EtcdClusterStatus() : cluster.getStatus();
    List<Condition> prevConditions = previous.getConditions();
    Long generation = cluster.getMetadata().getGeneration();
    Work work = in.work();
    Problems problems = in.problems();
    EtcdClusterStatus s = new EtcdClusterStatus();
    s.setSelector(in.names().selector());
    s.setObservedGeneration(generation);
    s.setOperation(work.operation());
    s.setCertificates(work.certificates() != null ? work.certificates() : previous.getCertificates());
    s.setMemberFailure(work.memberFailure());
    // The snapshot schedule sets these after this; until it does (or when it does not run) they stay as they were.
    s.setLastSnapshot(previous.getLastSnapshot());
    s.setNextSnapshotTime(previous.getNextSnapshotTime());
    s.setLastScheduleTime(previous.getLastScheduleTime());
    s.setMaintenance(work.maintenance() != null ? work.maintenance() : previous.getMaintenance());

    ClusterObservation obs = in.observation();
    List<MemberStatus> members = new ArrayList<>();
    String leaderName = obs.leader().map(ObservedMember::name).orElse(null);
    long leaderId = obs.leader().map(ObservedMember::id).orElse(0L);
    for (ObservedMember m : obs.members()) {
      MemberStatus.Role role = m.learner() ? MemberStatus.Role.learner
          : m.id() == leaderId ? MemberStatus.Role.leader : MemberStatus.Role.follower;
      // A member that does not answer keeps the version it last reported: the version gate reads it from here.
      String version = m.reachable() ? m.version() : previousVersion(previous, m.idHex());
      MemberStatus ms = new MemberStatus(m.started() ? m.name() : null, m.idHex(), role, obs.inQuorum(m), version,
          m.reachable() ? roundedSize(m.dbSizeBytes()) : null);
      ms.setDbSizeInUse(m.reachable() ? roundedSize(m.dbSizeInUse()) : null);
      Double p99 = obs.walFsyncP99().get(m.id());
      ms.setWalFsyncP99(p99 == null ? null : SlowDisks.describe(p99).replace(" ", ""));
      ms.setError(!m.reachable() ? EtcdErrors.summarize(m.error()) : obs.inQuorum(m) || leaderName == null ? null
          : m.leaderId() == 0 ? "answers, but follows no leader (cut off from its peers?)"
          : "answers, but follows another leader than the others (cut off from its peers?)");
      members.add(ms);
    }
    members.sort(Comparator.comparing(ms -> ms.getName() == null ? "~" + ms.getId() : ms.getName()));
    s.setMembers(members);
    // The cluster ID never changes: keep it while members are briefly unreachable.
    s.setClusterID(obs.clusterIdHex() != null ? obs.clusterIdHex() : previous.getClusterID());
    s.setLeader(leaderName);
    s.setReplicas(in.podsExisting());
    int desired = cluster.getSpec().getReplicas();
    long healthyVoters = obs.members().stream().filter(m -> obs.inQuorum(m) && !m.learner()).count();
    long voters = obs.members().stream().filter(m -> !m.learner()).count();
    long learners = obs.members().size() - voters;
    s.setReadyReplicas((int) healthyVoters);
    s.setVersion(lowestVersion(obs, previous.getVersion()));
    s.setUpgrade(work.upgrade());

    boolean ready;
    String reason;
    String message;
    if (!obs.reachable()) {
      ready = false;
      if (EtcdErrors.tlsRejected(obs.error())) {
        // Not the members' fault: the operator's client certificate (or the trust bundle) does not match the cluster.
        reason = "ClientCertificateRejected";
        message = "the TLS handshake with the members failed: check the operator's client certificate "
            + "(<cluster>-operator-tls) against the cluster's CA";
      } else {
        reason = previous.getClusterID() == null ? "Bootstrapping" : "Unreachable";
        message = previous.getClusterID() == null ? "waiting for the members to form a cluster"
            : "the operator cannot observe the cluster: no member answers it on its client URL"
                + (obs.error() == null ? "" : " (" + EtcdErrors.summarize(obs.error()) + ")")
                + "; it takes no step (no restart, no removal) until it can";
      }
    } else if (leaderName == null) {
      ready = false;
      reason = "NoLeader";
      message = "the cluster has no leader";
    } else if (obs.alarmed(EtcdAlarm.Type.CORRUPT)) {
      ready = false;
      reason = "DataCorrupted";
      message = "etcd raised CORRUPT: members' data differ and requests are refused until the member with the"
          + " differing data is replaced" + (obs.corruption().detail().isEmpty() ? "" : "; " + obs.corruption().detail());
    } else if (obs.alarmed(EtcdAlarm.Type.NOSPACE)) {
      ready = false;
      reason = "QuotaExhausted";
      NoSpaceRecovery recovery = s.getMaintenance() == null ? null : s.getMaintenance().getNoSpace();
      message = "NOSPACE: the cluster refuses writes"
          + (recovery == null || recovery.getMembers() == null ? "" : " (raised by " + recovery.getMembers() + ")")
          + (recovery == null || recovery.getMessage() == null ? "" : "; " + recovery.getMessage());
    } else if (healthyVoters < voters) {
      ready = false;
      reason = "MembersUnhealthy";
      message = (voters - healthyVoters) + " of " + voters + " voting members do not answer";
    } else if (work.operation() != null) {
      ready = healthyVoters == desired && voters == desired && learners == 0;
      reason = ready ? "MembersHealthy" : "Operation";
      message = ready ? voters + " of " + desired + " members healthy, leader " + leaderName + "; " + work.operation().getType()
          + " in progress" : work.operation().getType() + " " + work.operation().getTarget();
    } else if (voters != desired || learners > 0) {
      ready = false;
      reason = "MembershipPending";
      message = voters + " voting members and " + learners + " learners; the spec asks for " + desired;
    } else {
      ready = true;
      reason = "MembersHealthy";
      message = voters + " of " + desired + " members healthy, leader " + leaderName;
    }
    // Seconds after a pod cannot be placed or pulled, not minutes later when a deadline runs out.
    String notStarting = String.join("; ", problems.podsNotStarting());
    if (!notStarting.isEmpty() && !ready) message = message + "; " + notStarting;
    if (problems.recoveryAdvice() != null && !ready) message = message + "; " + problems.recoveryAdvice();
    List<Condition> c = new ArrayList<>();
    c.add(Conditions.next(prevConditions, Conditions.READY, ready, reason, message, generation, in.now()));
    if (in.paused()) {
      c.add(Conditions.next(prevConditions, Conditions.RECONCILING, false, "Paused",
          "spec.paused is true: observing only", generation, in.now()));
    } else {
      boolean busy = !ready || work.operation() != null;
      String busyReason = work.operation() != null ? work.operation().getType() : reason;
      String busyMessage = work.operation() != null
          ? work.operation().getTarget() + (work.operation().getMessage() == null ? "" : ": " + work.operation().getMessage())
              + (notStarting.isEmpty() ? "" : "; " + notStarting)
          : message;
      c.add(Conditions.next(prevConditions, Conditions.RECONCILING, busy, busy ? busyReason : "Converged",
          busy ? busyMessage : "nothing to do", generation, in.now()));
    }
    var failure = work.memberFailure();
    if (failure != null && java.util.Objects.equals(failure.getGeneration(), generation)) {
      // Adding members stopped: it takes a person to fix the cause (and a spec change to try again).
      c.add(Conditions.next(prevConditions, Conditions.STALLED, true, "LearnerFailed", failure.getMessage()
          + "; fix the cause, then change the spec to retry", generation, in.now()));
    } else if (problems.restoreFailure() != null) {
      c.add(Conditions.next(prevConditions, Conditions.STALLED, true, "RestoreFailed", problems.restoreFailure(), generation,
          in.now()));
    } else if (problems.upgradeStuck() != null) {
      c.add(Conditions.next(prevConditions, Conditions.STALLED, true, "UpgradeStuck", problems.upgradeStuck(), generation,
          in.now()));
    } else if (!problems.refused().isEmpty()) {
      c.add(Conditions.next(prevConditions, Conditions.STALLED, true, "ChangeRefused",
          problems.refused().stream().map(SpecViolation::toString).collect(Collectors.joining("; ")), generation, in.now()));
    } else {
      c.add(Conditions.next(prevConditions, Conditions.STALLED, false, "SpecValid", "", generation, in.now()));
    }
    if (!in.tlsEnabled()) {
      c.add(Conditions.next(prevConditions, Conditions.TLS_DISABLED, true, "TLSDisabled",
          "spec.tls.enabled is false: clients and members talk in plain text without authentication", generation, in.now()));
    }
    String slowDisks = obs.members().stream().filter(m -> SlowDisks.of(obs.walFsyncP99()).contains(m.id()))
        .map(m -> m.name() + " (WAL fsync p99 " + SlowDisks.describe(obs.walFsyncP99().get(m.id())) + ")")
        .collect(Collectors.joining(", "));
    if (!slowDisks.isEmpty()) {
      c.add(Conditions.next(prevConditions, Conditions.DISK_TOO_SLOW, true, "WalFsyncSlow", slowDisks + ": etcd wants"
          + " fsyncs under 10 ms; above " + (int) SlowDisks.THRESHOLD_MILLIS + " ms a member holds up every commit. Such"
          + " a member does not lead and a learner on it is not promoted; move it to faster storage", generation,
          in.now()));
    }
    Optional<String> defragFailing = MaintenanceRecords.failing(s.getMaintenance());
    String ruleProblem = problems.maintenanceFinding() != null && !obs.alarmed(EtcdAlarm.Type.NOSPACE)
        ? problems.maintenanceFinding() : null;
    if (defragFailing.isPresent() || ruleProblem != null) {
      c.add(Conditions.next(prevConditions, Conditions.DEFRAG_FAILING, true,
          defragFailing.isPresent() ? "RepeatedFailures" : "RuleFailed", defragFailing.orElse(ruleProblem), generation,
          in.now()));
    }
    if (!problems.warnings().isEmpty()) {
      c.add(Conditions.next(prevConditions, Conditions.SIZE_WARNING, true, "EvenSize",
          String.join("; ", problems.warnings()), generation, in.now()));
    }
    s.setConditions(c);
    return s;
  }

  /**
   * The lowest version a member runs. It rises only when every member answers (one restarting to a new version must
   * not make an upgrade look finished); a lower version seen on any member shows at once.
   */
  static String lowestVersion(ClusterObservation obs, String previous) {
    java.util.Optional<EtcdVersion> lowest = obs.members().stream().filter(ObservedMember::reachable)
        .map(m -> EtcdVersion.tryParse(m.version())).flatMap(java.util.Optional::stream).min(Comparator.naturalOrder());
    if (lowest.isEmpty()) return previous;
    boolean everyMemberAnswers = obs.members().stream().allMatch(ObservedMember::reachable);
    java.util.Optional<EtcdVersion> before = EtcdVersion.tryParse(previous);
    if (everyMemberAnswers || before.isEmpty() || lowest.get().compareTo(before.get()) < 0) {
      return lowest.get().toString();
    }
    return previous;
  }

  private static String previousVersion(EtcdClusterStatus previous, String idHex) {
    return previous.getMembers() == null ? null : previous.getMembers().stream().filter(x -> idHex.equals(x.getId()))
        .map(MemberStatus::getVersion).filter(java.util.Objects::nonNull).findFirst().orElse(null);
  }

  /** Sizes rounded up to whole MiB, so status does not follow every write. */
  static String roundedSize(long bytes) {
    long mib = (bytes + (1 << 20) - 1) >> 20;
    return Math.max(mib, 1) + "Mi";
  }
}
