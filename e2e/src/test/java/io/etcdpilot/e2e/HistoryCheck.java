package io.etcdpilot.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdpilot.sandbox.controlplane.KubeBinaries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The history checker ({@code e2e/histcheck}, built by {@code e2e/kube/build}) run against a cluster for the length of
 * a scenario: a Kubernetes-shaped workload whose every operation is recorded, then checked for linearizability,
 * watch order and gaps, revisions that go back, and acknowledged writes kept. {@link #verdict()} stops it and returns
 * what held.
 */
final class HistoryCheck implements AutoCloseable {
  /** What the checker found; {@code problems} is empty only when everything held. */
  record Verdict(int operations, int acknowledgedWrites, int unknownWrites, int watchEvents, String linearizable,
      boolean watchOk, boolean revisionsMonotonic, boolean acknowledgedKept, List<String> problems, String line) {
    @Override
    public String toString() {
      return line;
    }

    /** Prints the verdict into the scenario's log and fails on any problem it names. */
    void assertClean(String scenario) {
      System.out.println("history checker (" + scenario + "): " + line);
      org.assertj.core.api.Assertions.assertThat(problems).as("history checker: " + line).isEmpty();
      org.assertj.core.api.Assertions.assertThat(linearizable).isEqualTo("ok");
      org.assertj.core.api.Assertions.assertThat(acknowledgedWrites).as("writes acknowledged").isPositive();
    }
  }

  private final Process process;
  private final Path out;

  private HistoryCheck(Process process, Path out) {
    this.process = process;
    this.out = out;
  }

  static HistoryCheck start(TargetCluster target, String ns, String cluster) throws IOException, InterruptedException {
    Path dir = Files.createDirectories(Path.of("target", "histcheck", ns + "-" + cluster));
    ClientCredentials creds = target.credentials(ns, cluster);
    List<String> cmd = new ArrayList<>(List.of(KubeBinaries.locate().histcheck().toString(),
        "-endpoints", String.join(",", target.clientUrls(ns, cluster)),
        "-prefix", "/histcheck-" + UUID.randomUUID() + "/",
        "-history", dir.resolve("history.json").toAbsolutePath().toString()));
    if (creds != null) {
      Files.writeString(dir.resolve("ca.crt"), creds.caPem());
      Files.writeString(dir.resolve("client.crt"), creds.certPem());
      Files.writeString(dir.resolve("client.key"), creds.keyPem());
      cmd.addAll(List.of("-cacert", dir.resolve("ca.crt").toString(), "-cert", dir.resolve("client.crt").toString(),
          "-key", dir.resolve("client.key").toString()));
    }
    String hosts = System.getProperty("jdk.net.hosts.file");
    if (hosts != null) cmd.addAll(List.of("-hosts", hosts));
    Path out = dir.resolve("verdict.json");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(dir.resolve("stderr.log").toFile())
        .start();
    return new HistoryCheck(p, out);
  }

  /** Stops the workload (its stdin closes), waits for the checker and returns its verdict. */
  Verdict verdict() throws IOException, InterruptedException {
    process.getOutputStream().close();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("the history checker did not finish within 5 minutes");
    }
    String line = Files.readString(out).strip();
    if (line.isEmpty()) {
      throw new IllegalStateException("the history checker printed nothing; see " + out.resolveSibling("stderr.log"));
    }
    JsonNode j = new ObjectMapper().readTree(line);
    List<String> problems = new ArrayList<>();
    j.path("problems").forEach(p -> problems.add(p.asText()));
    return new Verdict(j.path("operations").asInt(), j.path("acknowledgedWrites").asInt(), j.path("unknownWrites").asInt(),
        j.path("watchEvents").asInt(), j.path("linearizable").asText(), j.path("watchOk").asBoolean(),
        j.path("revisionsMonotonic").asBoolean(), j.path("acknowledgedKept").asBoolean(), problems, line);
  }

  @Override
  public void close() {
    if (process.isAlive()) process.destroyForcibly();
  }
}
