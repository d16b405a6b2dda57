package io.etcdpilot.operator.status;

import java.util.Locale;

/**
 * Turns what the etcd client reported into the few stable phrases status shows: raw messages carry timings and
 * addresses that change on every pass, and status must change only when something a user would notice changes.
 */
public final class EtcdErrors {
  private EtcdErrors() {}

  /** True when etcd refused the operator's own client certificate (or the operator refused etcd's). */
  public static boolean tlsRejected(String raw) {
    String s = raw == null ? "" : raw.toLowerCase(Locale.ROOT);
    return s.contains("sslhandshake") || s.contains("bad_certificate") || s.contains("certificate_unknown")
        || s.contains("unknown_ca") || s.contains("certificate_required") || s.contains("pkix path")
        || s.contains("certificate verify") || s.contains("certificateexception");
  }

  public static String summarize(String raw) {
    if (raw == null || raw.isBlank()) return null;
    String s = raw.toLowerCase(Locale.ROOT);
    if (s.contains("not started")) return "added, not started yet";
    if (tlsRejected(raw)) return "TLS handshake failed (certificate rejected)";
    if (s.contains("connection refused")) return "connection refused";
    if (s.contains("unknownhost") || s.contains("unresolved") || s.contains("name or service not known")) {
      return "its name does not resolve";
    }
    if (s.contains("deadline") || s.contains("timeout") || s.contains("timed out")) return "no answer within the timeout";
    if (s.contains("unavailable") || s.contains("connection reset") || s.contains("closed")) return "unreachable";
    // Anything else: keep the words, drop the numbers that change from pass to pass.
    String stable = raw.replaceAll("[0-9]+(\\.[0-9]+)?(ns|µs|ms|s)\\b", "N").replaceAll("\\b[0-9a-f]{16}\\b", "ID");
    return stable.length() > 200 ? stable.substring(0, 200) + "…" : stable;
  }
}
