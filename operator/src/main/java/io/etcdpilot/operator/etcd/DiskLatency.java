package io.etcdpilot.operator.etcd;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each member's WAL fsync latency, from its own metrics ({@code etcd_disk_wal_fsync_duration_seconds}, a histogram
 * on the plain-http metrics port): the 99th percentile of the fsyncs since the last look, as the upper bound of the
 * bucket it falls in. Kept per member between passes (a histogram only counts up); a member with too few fsyncs
 * since keeps its last estimate.
 */
public final class DiskLatency {
  /** Fewer fsyncs than this since the last look say nothing new. */
  static final long MIN_SAMPLES = 20;
  private static final String METRIC = "etcd_disk_wal_fsync_duration_seconds_bucket{le=\"";

  private record Seen(TreeMap<Double, Long> buckets, double p99Millis) {}

  private final Map<String, Seen> last = new ConcurrentHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** The member's WAL fsync p99 in milliseconds; NaN when unknown (no metrics yet, unreachable). */
  public double p99Millis(String metricsUrl) {
    TreeMap<Double, Long> now;
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(metricsUrl)).timeout(Duration.ofSeconds(3))
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) return known(metricsUrl);
      now = buckets(r.body());
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      return known(metricsUrl);
    }
    Seen before = last.get(metricsUrl);
    double p99 = before == null ? Double.NaN : p99(before.buckets(), now);
    if (Double.isNaN(p99) && before != null) p99 = before.p99Millis();
    last.put(metricsUrl, new Seen(now, p99));
    return p99;
  }

  private double known(String url) {
    Seen s = last.get(url);
    return s == null ? Double.NaN : s.p99Millis();
  }

  /** Forgets members no longer watched. */
  public void retain(java.util.Set<String> metricsUrls) {
    last.keySet().retainAll(metricsUrls);
  }

  /** Cumulative counts by upper bound (seconds), +Inf as infinity. */
  static TreeMap<Double, Long> buckets(String exposition) {
    TreeMap<Double, Long> out = new TreeMap<>();
    for (String line : exposition.split("\n")) {
      if (!line.startsWith(METRIC)) continue;
      int end = line.indexOf('"', METRIC.length());
      String le = line.substring(METRIC.length(), end);
      double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
      out.put(bound, (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim()));
    }
    return out;
  }

  /** The p99 (ms) of what happened between two cumulative histograms; NaN with too few samples. */
  static double p99(TreeMap<Double, Long> before, TreeMap<Double, Long> after) {
    Long totalAfter = after.get(Double.POSITIVE_INFINITY);
    if (totalAfter == null) return Double.NaN;
    if (totalAfter < before.getOrDefault(Double.POSITIVE_INFINITY, 0L)) before = new TreeMap<>(); // it restarted
    long total = totalAfter - before.getOrDefault(Double.POSITIVE_INFINITY, 0L);
    if (total < MIN_SAMPLES) return Double.NaN;
    for (Map.Entry<Double, Long> e : after.entrySet()) {
      long delta = e.getValue() - before.getOrDefault(e.getKey(), 0L);
      if (delta * 100 >= total * 99L) return e.getKey() * 1000;
    }
    return Double.NaN;
  }
}
