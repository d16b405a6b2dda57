package io.etcdpilot.operator.metrics;

import io.etcdpilot.operator.api.v1alpha1.EtcdClusterStatus;
import io.etcdpilot.operator.api.v1alpha1.MemberStatus;
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
 * newest snapshot, upgrade in progress; and the steps the operator took, by kind. Meters of a deleted cluster go.
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

  /** Drops the meters of clusters that no longer exist. */
  public void retain(Set<String> clusterKeys) {
    for (String key : List.copyOf(clusters.keySet())) {
      if (clusterKeys.contains(key)) continue;
      Registered r = clusters.remove(key);
      r.meters.forEach(registry::remove);
      String[] nc = key.split("/", 2);
      registry.find("etcdpilot_steps").tags("namespace", nc[0], "cluster", nc[1]).meters().forEach(registry::remove);
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

  private static double epoch(String time) {
    return time == null ? 0 : Instant.parse(time).getEpochSecond();
  }
}
