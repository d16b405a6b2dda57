package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs after every other scenario, in a JVM of its own (the e2e pom's second execution), from what the sandboxes
 * left on disk: across the whole suite the operator, running with exactly the chart's RBAC, was never refused a
 * request (a verb missing from the chart shows up here), and used every verb the chart grants (a verb granted for
 * nothing shows up here).
 */
class OperatorLogE2E {
  /** The sandboxes the scenarios ran in ({@code target/e2e-sandbox-<fork>}). */
  static List<Path> sandboxes() throws java.io.IOException {
    String root = System.getProperty("etcdpilot.e2e.sandboxes");
    Assumptions.assumeTrue(root != null, "run by the e2e pom's whole-suite-logs execution");
    try (var dirs = Files.list(Path.of(root))) {
      List<Path> found = dirs.filter(d -> d.getFileName().toString().startsWith("e2e-sandbox-")
          && Files.isDirectory(d.resolve("logs"))).sorted().toList();
      Assumptions.assumeFalse(found.isEmpty(), "no scenario ran");
      return found;
    }
  }

  @Test
  void operatorWasNeverForbiddenAnything() throws Exception {
    StringBuilder all = new StringBuilder();
    for (Path sandbox : sandboxes()) all.append(SandboxTarget.operatorLog(sandbox));
    String log = all.toString();
    assertThat(log).as("operator log").isNotBlank();
    // An object store's 403 (SnapshotE2E gives one wrong credentials on purpose) is not the API server's, nor is an
    // admission policy's 422 ("... is forbidden: ValidatingAdmissionPolicy ...", KubernetesRefusalsE2E's on purpose).
    assertThat(log.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).contains("forbidden"))
        .filter(l -> !l.contains("(Service: S3,") && !l.contains("HTTP 422")).toList())
        .as("lines of the operator log that mention Forbidden").isEmpty();
  }

  /** Granted, and called by the code, on paths no scenario takes. */
  static final java.util.Map<String, String> GRANTED_FOR_UNTESTED_PATHS = java.util.Map.of(
      "services update", "owned objects are created or updated alike; no scenario changes a Service",
      "leases update", "fabric8's leader election may replace its Lease instead of patching it");

  @Test
  void everyVerbTheChartGrantsWasUsed() throws Exception {
    Assumptions.assumeTrue(System.getProperty("test") == null,
        "only the whole suite exercises every verb (-Dtest selects a part)");
    String account = "system:serviceaccount:" + io.etcdpilot.sandbox.OperatorInstall.NAMESPACE + ":"
        + io.etcdpilot.sandbox.OperatorInstall.RELEASE;
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    java.util.Set<String> used = new java.util.TreeSet<>();
    List<Path> audits = new java.util.ArrayList<>();
    for (Path sandbox : sandboxes()) {
      try (var files = Files.list(sandbox.resolve("logs"))) {
        // The API server's audit log and its rotated backups (audit-<time>.log).
        files.filter(f -> f.getFileName().toString().startsWith("audit") && f.getFileName().toString().endsWith(".log"))
            .forEach(audits::add);
      }
    }
    for (Path audit : audits) {
    try (var lines = java.nio.file.Files.lines(audit)) {
      lines.forEach(l -> {
        try {
          var e = json.readTree(l);
          if (!account.equals(e.path("user").path("username").asText())) return;
          var o = e.path("objectRef");
          String sub = o.path("subresource").asText("");
          used.add(o.path("resource").asText() + (sub.isEmpty() ? "" : "/" + sub) + " " + e.path("verb").asText());
        } catch (java.io.IOException ex) {
          throw new java.io.UncheckedIOException(ex);
        }
      });
    }
    }
    String yaml = io.etcdpilot.sandbox.ChartRelease.template(java.nio.file.Path.of("../charts/etcdpilot"),
        io.etcdpilot.sandbox.OperatorInstall.RELEASE, io.etcdpilot.sandbox.OperatorInstall.NAMESPACE);
    java.util.Set<String> granted = new java.util.TreeSet<>();
    for (var o : io.fabric8.kubernetes.client.utils.Serialization.<java.util.List<io.fabric8.kubernetes.api.model.HasMetadata>>unmarshal(yaml)) {
      // The roles for people (aggregated into view, edit, admin) grant the operator nothing.
      boolean forPeople = o.getMetadata().getLabels() != null && o.getMetadata().getLabels().keySet().stream()
          .anyMatch(k -> k.startsWith("rbac.authorization.k8s.io/aggregate-to-"));
      java.util.List<io.fabric8.kubernetes.api.model.rbac.PolicyRule> rules = forPeople ? java.util.List.of()
          : o instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRole c ? c.getRules()
          : o instanceof io.fabric8.kubernetes.api.model.rbac.Role r ? r.getRules() : java.util.List.of();
      rules.forEach(r -> r.getResources().forEach(res -> r.getVerbs().forEach(v -> granted.add(res + " " + v))));
    }
    assertThat(granted).as("the chart's grants").isNotEmpty();
    java.util.Set<String> unused = new java.util.TreeSet<>(granted);
    unused.removeAll(used);
    unused.removeAll(GRANTED_FOR_UNTESTED_PATHS.keySet());
    assertThat(unused).as("verbs the chart grants that the operator never used in the suite (used: " + used + ")")
        .isEmpty();
  }
}
