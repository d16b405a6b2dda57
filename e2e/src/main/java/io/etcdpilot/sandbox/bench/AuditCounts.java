package io.etcdpilot.sandbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** One user's requests in the API server's audit log from an offset on, by verb and resource. */
final class AuditCounts {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Map<String, Integer> reconciling = new TreeMap<>();
  private final Map<String, Integer> leaderElection = new TreeMap<>();

  static AuditCounts read(Path audit, long offset, String user) throws IOException {
    AuditCounts c = new AuditCounts();
    try (RandomAccessFile f = new RandomAccessFile(audit.toFile(), "r")) {
      f.seek(offset);
      byte[] rest = new byte[(int) (f.length() - offset)];
      f.readFully(rest);
      for (String line : new String(rest, StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank()) continue;
        JsonNode e = JSON.readTree(line);
        if (!user.equals(e.path("user").path("username").asText())) continue;
        String verb = e.path("verb").asText();
        String stage = e.path("stage").asText();
        // A watch is counted when it starts (it completes only when it ends); everything else once, complete.
        if (!(verb.equals("watch") ? stage.equals("ResponseStarted") : stage.equals("ResponseComplete"))) continue;
        String resource = e.path("objectRef").path("resource").asText();
        (resource.equals("leases") ? c.leaderElection : c.reconciling).merge(verb + " " + resource, 1, Integer::sum);
      }
    }
    return c;
  }

  /** By verb and resource; leases are leader election's, everything else the reconciler's. */
  String reconciling(double perMinute) {
    return reconciling.isEmpty() ? "none" : format(reconciling, perMinute);
  }

  String leaderElection(double perMinute) {
    return leaderElection.isEmpty() ? "none" : format(leaderElection, perMinute);
  }

  private static String format(Map<String, Integer> counts, double perMinute) {
    return counts.entrySet().stream().map(e -> e.getKey() + " " + Math.round(e.getValue() * perMinute))
        .collect(Collectors.joining(", "));
  }
}
