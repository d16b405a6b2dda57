package io.etcdpilot.e2e;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads counters from the API server's Prometheus text (what later benchmarks count requests with). */
final class ApiServerMetrics {
  private static final Pattern SAMPLE = Pattern.compile("^apiserver_request_total\\{([^}]*)} ([0-9.e+]+)$", Pattern.MULTILINE);

  private ApiServerMetrics() {}

  /** apiserver_request_total summed over every series for that resource (and, when given, response code). */
  static long requests(String metrics, String resource, String code) {
    long total = 0;
    Matcher m = SAMPLE.matcher(metrics);
    while (m.find()) {
      String labels = m.group(1);
      if (!labels.contains("resource=\"" + resource + "\"")) continue;
      if (code != null && !labels.contains("code=\"" + code + "\"")) continue;
      total += (long) Double.parseDouble(m.group(2));
    }
    return total;
  }
}
