package io.etcdpilot.operator.model;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which members' disks are too slow for etcd: a WAL fsync p99 above {@value #THRESHOLD_MILLIS} ms. etcd asks for
 * fsyncs under 10 ms; at a tenth of the default election timeout a member holds up every commit it takes part in,
 * and as leader it misses heartbeats.
 */
public final class SlowDisks {
  public static final double THRESHOLD_MILLIS = 100;

  private SlowDisks() {}

  public static Set<Long> of(Map<Long, Double> walFsyncP99Millis) {
    return walFsyncP99Millis.entrySet().stream().filter(e -> e.getValue() >= THRESHOLD_MILLIS).map(Map.Entry::getKey)
        .collect(Collectors.toSet());
  }

  public static String describe(double p99Millis) {
    return Double.isInfinite(p99Millis) ? "over 8 s" : String.format(java.util.Locale.ROOT, "%.0f ms", p99Millis);
  }
}
