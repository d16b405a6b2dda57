package io.etcdpilot.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.api.v1alpha1.CertificateStatus;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterStatus;
import io.etcdpilot.operator.api.v1alpha1.LastSnapshot;
import io.etcdpilot.operator.api.v1alpha1.MemberStatus;
import io.etcdpilot.operator.api.v1alpha1.Operation;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterMetricsTest {
  @Test
  void aClustersStatusIsExposedWithNamespaceAndClusterLabelsAndGoesWithTheCluster() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ClusterMetrics metrics = new ClusterMetrics(registry);
    EtcdClusterStatus s = new EtcdClusterStatus();
    s.setMembers(List.of(new MemberStatus("demo-0", "a", MemberStatus.Role.leader, true, "3.6.16", null),
        new MemberStatus("demo-1", "b", MemberStatus.Role.follower, true, "3.6.16", null),
        new MemberStatus("demo-2", "c", MemberStatus.Role.follower, false, null, null)));
    s.setReadyReplicas(2);
    s.setLeader("demo-0");
    s.setOperation(new Operation("Upgrade", "demo-2", "2026-12-01T00:00:00Z", "restarting"));
    s.setCertificates(new CertificateStatus("2031-12-01T00:00:00Z", "2027-12-01T00:00:00Z", "Steady"));
    LastSnapshot last = new LastSnapshot();
    last.setTime("2026-12-01T06:00:00Z");
    last.setSize(4096L);
    s.setLastSnapshot(last);
    metrics.observe("prod", "demo", s);
    metrics.step("prod", "demo", "restart_member");

    String text = registry.scrape();
    assertThat(text).contains("etcdpilot_cluster_members{cluster=\"demo\",namespace=\"prod\",role=\"follower\"} 2.0")
        .contains("etcdpilot_cluster_members{cluster=\"demo\",namespace=\"prod\",role=\"leader\"} 1.0")
        .contains("etcdpilot_cluster_ready_voters{cluster=\"demo\",namespace=\"prod\"} 2.0")
        .contains("etcdpilot_cluster_quorum{cluster=\"demo\",namespace=\"prod\"} 2.0")
        .contains("etcdpilot_cluster_leader_present{cluster=\"demo\",namespace=\"prod\"} 1.0")
        .contains("etcdpilot_cluster_operation_in_flight{cluster=\"demo\",namespace=\"prod\",type=\"Upgrade\"} 1.0")
        .contains("etcdpilot_cluster_operation_in_flight{cluster=\"demo\",namespace=\"prod\",type=\"AddMember\"} 0.0")
        .contains("etcdpilot_cluster_last_snapshot_size_bytes{cluster=\"demo\",namespace=\"prod\"} 4096.0")
        .contains("etcdpilot_cluster_last_snapshot_timestamp_seconds{cluster=\"demo\",namespace=\"prod\"} 1.7961048E9")
        .contains("etcdpilot_steps_total{cluster=\"demo\",kind=\"restart_member\",namespace=\"prod\"} 1.0");
    assertThat(text).contains("etcdpilot_cluster_snapshots_healthy{cluster=\"demo\",namespace=\"prod\"} NaN");
    // The next pass's status is what the gauges read.
    s.setLeader(null);
    s.setConditions(List.of(new io.fabric8.kubernetes.api.model.ConditionBuilder().withType("SnapshotsHealthy")
        .withStatus("False").withReason("SnapshotFailed").build()));
    metrics.observe("prod", "demo", s);
    assertThat(registry.scrape()).contains("etcdpilot_cluster_leader_present{cluster=\"demo\",namespace=\"prod\"} 0.0")
        .contains("etcdpilot_cluster_snapshots_healthy{cluster=\"demo\",namespace=\"prod\"} 0.0");
    // Restore drills: the last one's verdict and when one last passed; the schedule's interval from its two times.
    io.etcdpilot.operator.api.v1alpha1.BackupStatus backup = new io.etcdpilot.operator.api.v1alpha1.BackupStatus();
    backup.setLastPassedTime("2026-12-01T06:00:00Z");
    s.setBackup(backup);
    s.setLastScheduleTime("2026-12-01T06:00:00Z");
    s.setNextSnapshotTime("2026-12-01T12:00:00Z");
    s.setConditions(List.of(new io.fabric8.kubernetes.api.model.ConditionBuilder().withType("BackupVerified")
        .withStatus("False").withReason("DrillFailed").build()));
    metrics.observe("prod", "demo", s);
    assertThat(registry.scrape()).contains("etcdpilot_cluster_backup_verified{cluster=\"demo\",namespace=\"prod\"} 0.0")
        .contains("etcdpilot_cluster_backup_verified_timestamp_seconds{cluster=\"demo\",namespace=\"prod\"} 1.7961048E9")
        .contains("etcdpilot_cluster_snapshot_interval_seconds{cluster=\"demo\",namespace=\"prod\"} 21600.0");
    metrics.retain(Set.of());
    assertThat(registry.scrape()).doesNotContain("cluster=\"demo\"");
  }
}
