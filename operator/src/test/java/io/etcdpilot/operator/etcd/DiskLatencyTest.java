package io.etcdpilot.operator.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DiskLatencyTest {
  /** An exposition with the WAL fsync histogram's cumulative counts at 1 ms, 8 ms, 128 ms, 512 ms, +Inf. */
  static String metrics(long le1, long le8, long le128, long le512, long inf) {
    return "# HELP etcd_disk_wal_fsync_duration_seconds The latency distributions of fsync called by WAL.\n"
        + "etcd_disk_wal_fsync_duration_seconds_bucket{le=\"0.001\"} " + le1 + "\n"
        + "etcd_disk_wal_fsync_duration_seconds_bucket{le=\"0.008\"} " + le8 + "\n"
        + "etcd_disk_wal_fsync_duration_seconds_bucket{le=\"0.128\"} " + le128 + "\n"
        + "etcd_disk_wal_fsync_duration_seconds_bucket{le=\"0.512\"} " + le512 + "\n"
        + "etcd_disk_wal_fsync_duration_seconds_bucket{le=\"+Inf\"} " + inf + "\n"
        + "etcd_disk_wal_fsync_duration_seconds_sum 1.5\n"
        + "etcd_disk_backend_commit_duration_seconds_bucket{le=\"0.001\"} 7\n";
  }

  @Test
  void thePercentileOfWhatHappenedSinceTheLastLook() {
    TreeMap<Double, Long> before = DiskLatency.buckets(metrics(1000, 1000, 1000, 1000, 1000));
    assertThat(before).hasSize(5).containsEntry(0.001, 1000L).containsEntry(Double.POSITIVE_INFINITY, 1000L);
    // Since: 100 fsyncs, all between 128 and 512 ms: the disk became slow (the 1000 fast ones before do not hide it).
    assertThat(DiskLatency.p99(before, DiskLatency.buckets(metrics(1000, 1000, 1000, 1100, 1100)))).isEqualTo(512.0);
    // 100 fast ones: 1 ms.
    assertThat(DiskLatency.p99(before, DiskLatency.buckets(metrics(1100, 1100, 1100, 1100, 1100)))).isEqualTo(1.0);
    // 99 fast, 1 slow: the 99th percentile is still fast.
    assertThat(DiskLatency.p99(before, DiskLatency.buckets(metrics(1099, 1099, 1099, 1100, 1100)))).isEqualTo(1.0);
    // 98 fast, 2 slow: not any more.
    assertThat(DiskLatency.p99(before, DiskLatency.buckets(metrics(1098, 1098, 1098, 1100, 1100)))).isEqualTo(512.0);
  }

  @Test
  void tooFewSamplesOrARestartedMember() {
    TreeMap<Double, Long> before = DiskLatency.buckets(metrics(1000, 1000, 1000, 1000, 1000));
    assertThat(DiskLatency.p99(before, DiskLatency.buckets(metrics(1005, 1005, 1005, 1005, 1005)))).isNaN();
    // Restarted: its counters started again from zero.
    assertThat(DiskLatency.p99(before, DiskLatency.buckets(metrics(0, 0, 0, 50, 50)))).isEqualTo(512.0);
    assertThat(DiskLatency.p99(before, DiskLatency.buckets("no such metric\n"))).isNaN();
  }
}
