package io.etcdpilot.operator.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.etcdpilot.operator.docs.DocLinks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The chart's alert rules, through Prometheus' own promtool: they load, and each behaves as its unit tests say. */
class AlertRulesTest {
  static final Path FILES = Path.of("../charts/etcdpilot/files");

  static String promtool(String... args) throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    assertThat(promtool).as("promtool (Debian's prometheus package; bin/ensure-etcd installs it)").isExecutable();
    List<String> cmd = new ArrayList<>(List.of(promtool.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(FILES.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(String.join(" ", cmd) + "\n" + out).isZero();
    return out;
  }

  static List<JsonNode> alerts() throws Exception {
    JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(FILES.resolve("prometheus-rules.yaml").toFile());
    List<JsonNode> out = new ArrayList<>();
    rules.path("groups").forEach(g -> g.path("rules").forEach(out::add));
    return out;
  }

  @Test
  void rulesLoadAndPassTheirUnitTests() throws Exception {
    assertThat(promtool("check", "rules", "prometheus-rules.yaml")).contains("SUCCESS: " + alerts().size() + " rules found");
    assertThat(promtool("test", "rules", "prometheus-rules-test.yaml")).contains("SUCCESS");
  }

  @Test
  void everyAlertIsUnitTestedAndItsRunbookLinkLeadsToAHeadingThatExists() throws Exception {
    String tests = Files.readString(FILES.resolve("prometheus-rules-test.yaml"));
    List<JsonNode> alerts = alerts();
    assertThat(alerts).hasSizeGreaterThanOrEqualTo(18);
    for (JsonNode a : alerts) {
      String name = a.path("alert").asText();
      assertThat(tests).as("a promtool case for " + name).contains("alertname: " + name + "\n");
      assertThat(a.path("labels").path("severity").asText()).as(name + " severity").isIn("info", "warning", "critical");
      String runbook = a.path("annotations").path("runbook").asText();
      assertThat(runbook).as(name + " runbook").isEqualTo("docs/operations.md#" + name.toLowerCase(Locale.ROOT));
      // The link as a reader follows it from the repository's root.
      assertThat(DocLinks.broken(DocLinks.ROOT.resolve("README.md"), runbook)).as(name + " runbook").isNull();
    }
  }
}
