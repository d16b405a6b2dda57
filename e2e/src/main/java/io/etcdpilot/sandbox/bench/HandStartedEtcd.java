package io.etcdpilot.sandbox.bench;

import io.etcdpilot.sandbox.FileTrees;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The baseline: the same etcd binary started by hand as an N-member cluster on loopback, timed until all serve. */
final class HandStartedEtcd {
  private static final int BASE_PORT = 24790;

  private HandStartedEtcd() {}

  /** Milliseconds from starting the processes until every member's /health says true. */
  static long timeToServing(Path etcd, Path dir, int members) throws Exception {
    FileTrees.empty(dir);
    Files.createDirectories(dir);
    String initial = IntStream.range(0, members).mapToObj(i -> "m" + i + "=http://127.0.0.1:" + peerPort(i))
        .collect(Collectors.joining(","));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
    List<Process> processes = new ArrayList<>();
    Instant started = Instant.now();
    try {
      for (int i = 0; i < members; i++) {
        processes.add(new ProcessBuilder(etcd.toString(), "--name=m" + i, "--data-dir=" + dir.resolve("m" + i),
            "--listen-client-urls=http://127.0.0.1:" + clientPort(i),
            "--advertise-client-urls=http://127.0.0.1:" + clientPort(i),
            "--listen-peer-urls=http://127.0.0.1:" + peerPort(i),
            "--initial-advertise-peer-urls=http://127.0.0.1:" + peerPort(i),
            "--initial-cluster=" + initial, "--initial-cluster-state=new", "--initial-cluster-token=bench")
            .redirectErrorStream(true).redirectOutput(dir.resolve("m" + i + ".log").toFile()).start());
      }
      Instant deadline = started.plusSeconds(60);
      for (int i = 0; i < members; i++) {
        while (!healthy(http, "127.0.0.1", clientPort(i))) {
          if (Instant.now().isAfter(deadline)) throw new IllegalStateException("hand-started etcd did not serve; see " + dir);
          Thread.sleep(10);
        }
      }
      return Duration.between(started, Instant.now()).toMillis();
    } finally {
      for (Process p : processes) p.destroyForcibly().waitFor();
    }
  }

  /** Whether the etcd member at host:port says it is healthy (has a leader, serves reads). */
  static boolean healthy(HttpClient http, String host, int port) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/health"))
          .timeout(Duration.ofMillis(500)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().contains("\"true\"");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static int clientPort(int i) {
    return BASE_PORT + 2 * i;
  }

  private static int peerPort(int i) {
    return BASE_PORT + 2 * i + 1;
  }
}
