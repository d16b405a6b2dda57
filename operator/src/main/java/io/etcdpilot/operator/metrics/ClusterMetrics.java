package io.etcdpilot.operator.metrics;

import io.etcdpilot.operator.api.v1alpha1.EtcdClusterStatus;
import io.etcdpilot.operator.api.v1alpha1.MaintenanceStatus;
import io.etcdpilot.operator.api.v1alpha1.MemberMaintenance;
import io.etcdpilot.operator.api.v1alpha1.MemberStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.etcdpilot.operator.model.Quorum;
import io.etcdpilot.operator.plan.OperationType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Per-cluster gauges, labelled {@code namespace} and {@code cluster} only (bounded cardinality), from the status each
 * pass writes: members by role, ready voters, quorum, leader present, operation in flight by type, certificate expiry,
 * newest snapshot, upgrade in progress, quota and database sizes, NOSPACE, defragmentation failures; and the steps the
 * operator took, by kind, and defragmentations by result with the bytes they gave back. Meters of a deleted cluster go.
 */
public final class ClusterMetrics {
  private final MeterRegistry registry;
  private final Map<String, Registered> clusters = new ConcurrentHashMap<>();

  private static final class Registered {
    volatile EtcdClusterStatus status = new EtcdClusterStatus();
    final List<Meter> meters = new ArrayList<>();
  }

  public ClusterMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Records what this pass reported for the cluster. */
  public void observe(String namespace, String cluster, EtcdClusterStatus status) {
    clusters.computeIfAbsent(namespace + "/" + cluster, k -> register(namespace, cluster)).status = status;
  }

  /** Counts a step the operator took (a membership change, a restart, a downgrade call, ...). */
  public void step(String namespace, String cluster, String kind) {
    Counter.builder("etcdpilot_steps").description("Steps the operator took, by kind")
        .tags(Tags.of("namespace", namespace, "cluster", cluster, "kind", kind)).register(registry).increment();
  }

  /** Counts the defragmentations a pass recorded (by result) and the bytes they gave back. */
  public void maintenance(String namespace, String cluster, MaintenanceStatus before, MaintenanceStatus after) {
    if (after == null || after.getMembers() == null) return;
    Tags tags = Tags.of("namespace", namespace, "cluster", cluster);
    for (MemberMaintenance now : after.getMembers()) {
      MemberMaintenance was = before == null || before.getMembers() == null ? null : before.getMembers().stream()
          .filter(x -> now.getName().equals(x.getName())).findFirst().orElse(null);
      if (now.getLastDefragTime() != null && (was == null || !now.getLastDefragTime().equals(was.getLastDefragTime()))) {
        defragmentations(tags, "succeeded").increment();
        long reclaimed = now.getBytesBefore() == null || now.getBytesAfter() == null ? 0
            : Math.max(0, now.getBytesBefore() - now.getBytesAfter());
        Counter.builder("etcdpilot_defrag_reclaimed_bytes").description("Bytes defragmentations gave back")
            .baseUnit("bytes").tags(tags).register(registry).increment(reclaimed);
      }
      if (now.getLastFailureTime() != null && (was == null || !now.getLastFailureTime().equals(was.getLastFailureTime()))) {
        defragmentations(tags, "failed").increment();
      }
    }
  }

  private Counter defragmentations(Tags tags, String result) {
    return Counter.builder("etcdpilot_defragmentations").description("Defragmentations of members, by result")
        .tags(tags.and("result", result)).register(registry);
  }

  /** Drops the meters of clusters that no longer exist. */
  public void retain(Set<String> clusterKeys) {
    for (String key : List.copyOf(clusters.keySet())) {
      if (clusterKeys.contains(key)) continue;
      Registered r = clusters.remove(key);
      r.meters.forEach(registry::remove);
      String[] nc = key.split("/", 2);
      for (String counter : List.of("etcdpilot_steps", "etcdpilot_defragmentations", "etcdpilot_defrag_reclaimed_bytes")) {
        registry.find(counter).tags("namespace", nc[0], "cluster", nc[1]).meters().forEach(registry::remove);
      }
    }
  }

  private Registered register(String namespace, String cluster) {
    Registered r = new Registered();
    Tags tags = Tags.of("namespace", namespace, "cluster", cluster);
    for (MemberStatus.Role role : MemberStatus.Role.values()) {
      gauge(r, "etcdpilot_cluster_members", "Members etcd reports, by role", tags.and("role", role.name()),
          s -> s.getMembers() == null ? 0 : s.getMembers().stream().filter(m -> m.getRole() == role).count());
    }
    gauge(r, "etcdpilot_cluster_ready_voters", "Voting members that answer", tags,
        s -> s.getReadyReplicas() == null ? 0 : s.getReadyReplicas());
    gauge(r, "etcdpilot_cluster_quorum", "Voting members needed for quorum", tags, s -> {
      long voters = s.getMembers() == null ? 0 : s.getMembers().stream()
          .filter(m -> m.getRole() != MemberStatus.Role.learner).count();
      return voters == 0 ? 0 : Quorum.of((int) voters);
    });
    gauge(r, "etcdpilot_cluster_leader_present", "1 when a leader is agreed on", tags, s -> s.getLeader() == null ? 0 : 1);
    for (OperationType type : OperationType.values()) {
      gauge(r, "etcdpilot_cluster_operation_in_flight", "1 while a step of this type is in flight",
          tags.and("type", type.name()), s -> s.getOperation() != null && type.name().equals(s.getOperation().getType()) ? 1 : 0);
    }
    gauge(r, "etcdpilot_cluster_upgrade_in_progress", "1 while members change etcd version", tags,
        s -> s.getUpgrade() == null ? 0 : 1);
    gauge(r, "etcdpilot_cluster_certificate_expiry_timestamp_seconds", "When the first member or client certificate expires",
        tags.and("certificate", "leaf"), s -> epoch(s.getCertificates() == null ? null : s.getCertificates().getCertificatesNotAfter()));
    gauge(r, "etcdpilot_cluster_certificate_expiry_timestamp_seconds", "When the first member or client certificate expires",
        tags.and("certificate", "ca"), s -> epoch(s.getCertificates() == null ? null : s.getCertificates().getCaNotAfter()));
    gauge(r, "etcdpilot_cluster_last_snapshot_timestamp_seconds", "When the newest successful snapshot completed", tags,
        s -> epoch(s.getLastSnapshot() == null ? null : s.getLastSnapshot().getTime()));
    gauge(r, "etcdpilot_cluster_last_snapshot_size_bytes", "Bytes stored by the newest successful snapshot", tags,
        s -> s.getLastSnapshot() == null || s.getLastSnapshot().getSize() == null ? 0 : s.getLastSnapshot().getSize());
    gauge(r, "etcdpilot_cluster_snapshots_healthy", "1 when scheduled snapshots succeed on time, 0 when failing or"
        + " overdue; absent without a schedule", tags, s -> io.etcdpilot.operator.status.Conditions.find(s.getConditions(),
            io.etcdpilot.operator.snapshot.SnapshotScheduling.CONDITION).map(c -> "True".equals(c.getStatus()) ? 1.0 : 0.0)
            .orElse(Double.NaN));
    gauge(r, "etcdpilot_cluster_snapshot_interval_seconds", "Time between scheduled snapshots (from the last run to the"
        + " next); absent without a schedule", tags, s -> s.getLastScheduleTime() == null || s.getNextSnapshotTime() == null
            ? Double.NaN : epoch(s.getNextSnapshotTime()) - epoch(s.getLastScheduleTime()));
    gauge(r, "etcdpilot_cluster_backup_verified", "1 when the last restore drill passed, 0 when it failed or had nothing"
        + " to restore; absent without drills or before the first", tags, s -> io.etcdpilot.operator.status.Conditions
            .find(s.getConditions(), io.etcdpilot.operator.drill.DrillReport.CONDITION)
            .filter(c -> !"Unknown".equals(c.getStatus())).map(c -> "True".equals(c.getStatus()) ? 1.0 : 0.0)
            .orElse(Double.NaN));
    gauge(r, "etcdpilot_cluster_backup_verified_timestamp_seconds", "When a restore drill last passed", tags,
        s -> s.getBackup() == null || s.getBackup().getLastPassedTime() == null ? Double.NaN
            : epoch(s.getBackup().getLastPassedTime()));
    gauge(r, "etcdpilot_cluster_quota_bytes", "Backend quota the members run with", tags,
        s -> s.getMaintenance() == null || s.getMaintenance().getQuotaBytes() == null ? 0
            : s.getMaintenance().getQuotaBytes());
    gauge(r, "etcdpilot_cluster_db_size_max_bytes", "Largest member database (rounded up to MiB)", tags,
        s -> largest(s, MemberStatus::getDbSize));
    gauge(r, "etcdpilot_cluster_db_size_in_use_max_bytes", "Largest bytes in use of a member database (MiB)", tags,
        s -> largest(s, MemberStatus::getDbSizeInUse));
    gauge(r, "etcdpilot_cluster_nospace", "1 while etcd's NOSPACE alarm is raised (the cluster refuses writes)", tags,
        s -> io.etcdpilot.operator.status.Conditions.find(s.getConditions(), io.etcdpilot.operator.status.Conditions.READY)
            .filter(c -> "QuotaExhausted".equals(c.getReason())).isPresent() ? 1 : 0);
    gauge(r, "etcdpilot_cluster_defrag_consecutive_failures", "Most defragmentations of one member that failed in a row",
        tags, s -> s.getMaintenance() == null || s.getMaintenance().getMembers() == null ? 0
            : s.getMaintenance().getMembers().stream().mapToInt(m -> m.getConsecutiveFailures() == null ? 0
                : m.getConsecutiveFailures()).max().orElse(0));
    gauge(r, "etcdpilot_cluster_ready", "1 when the cluster's Ready condition is True", tags,
        s -> io.etcdpilot.operator.status.Conditions.isTrue(s.getConditions(), io.etcdpilot.operator.status.Conditions.READY) ? 1 : 0);
    gauge(r, "etcdpilot_cluster_stalled", "1 when the cluster's Stalled condition is True", tags,
        s -> io.etcdpilot.operator.status.Conditions.isTrue(s.getConditions(), io.etcdpilot.operator.status.Conditions.STALLED) ? 1 : 0);
    return r;
  }

  private void gauge(Registered r, String name, String description, Tags tags, ToDoubleFunction<EtcdClusterStatus> value) {
    r.meters.add(Gauge.builder(name, r, x -> value.applyAsDouble(x.status)).description(description).tags(tags)
        .register(registry));
  }

  private static double largest(EtcdClusterStatus s, java.util.function.Function<MemberStatus, String> size) {
    if (s.getMembers() == null) return 0;
    return s.getMembers().stream().map(size).filter(java.util.Objects::nonNull)
        .mapToDouble(q -> Quantity.getAmountInBytes(new Quantity(q)).doubleValue()).max().orElse(0);
  }

  private static double epoch(String time) {
    return time == null ? 0 : Instant.parse(time).getEpochSecond();
  }
}
