package io.etcdpilot.operator.etcd;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Real etcd member processes on loopback addresses, for tests of the jetcd boundary. The binary comes from
 * $ETCD_BINARY or /usr/bin/etcd (Debian's etcd-server package; .ci/run installs it).
 */
public final class LocalEtcdCluster implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();
  private final List<String> ips = new ArrayList<>();
  private final Path dir;

  public LocalEtcdCluster(String ipPrefix, int members) throws IOException {
    dir = Files.createTempDirectory("etcd-it");
    List<String> initial = new ArrayList<>();
    for (int i = 1; i <= members; i++) {
      ips.add(ipPrefix + i);
      initial.add("m" + i + "=http://" + ipPrefix + i + ":2380");
    }
    for (int i = 1; i <= members; i++) {
      String ip = ipPrefix + i;
      ProcessBuilder pb = new ProcessBuilder(binary(), "--name=m" + i, "--data-dir=" + dir.resolve("m" + i),
          "--listen-peer-urls=http://" + ip + ":2380", "--initial-advertise-peer-urls=http://" + ip + ":2380",
          "--listen-client-urls=http://" + ip + ":2379", "--advertise-client-urls=http://" + ip + ":2379",
          "--listen-metrics-urls=http://" + ip + ":2381",
          "--initial-cluster=" + String.join(",", initial), "--initial-cluster-state=new",
          "--initial-cluster-token=it-" + ipPrefix, "--logger=zap")
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("m" + i + ".log").toFile());
      processes.add(pb.start());
    }
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> ips.stream().allMatch(LocalEtcdCluster::healthy));
  }

  public static String binary() {
    String b = System.getenv("ETCD_BINARY");
    return b != null && !b.isBlank() ? b : "/usr/bin/etcd";
  }

  public List<String> clientUrls() {
    return ips.stream().map(ip -> "http://" + ip + ":2379").toList();
  }

  private static boolean healthy(String ip) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://" + ip + ":2381/health").toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(1000);
      return c.getResponseCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws IOException {
    for (Process p : processes) p.destroyForcibly();
    for (Process p : processes) {
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
