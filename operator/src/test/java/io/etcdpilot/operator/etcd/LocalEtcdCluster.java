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
  private final boolean tls;

  public LocalEtcdCluster(String ipPrefix, int members) throws IOException {
    this(ipPrefix, members, null);
  }

  /** Where each member finds its PEM files when TLS is on: ca.crt, server.crt/key, peer.crt/key. */
  public interface MemberTls {
    void write(int member, String ip, Path dir) throws IOException;

    /** The name members require on peer certificates; null accepts any certificate from the CA. */
    /** The name members require on client certificates; null: any from the CA. */
    default String clientAllowedHostname() {
      return null;
    }

    default String peerAllowedHostname() {
      return null;
    }
  }

  public LocalEtcdCluster(String ipPrefix, int members, MemberTls tls) throws IOException {
    this(ipPrefix, members, tls, members);
  }

  /** Starts {@code start} of the {@code members} listed in the initial cluster. */
  public LocalEtcdCluster(String ipPrefix, int members, MemberTls tls, int start) throws IOException {
    this(ipPrefix, members, tls, start, binary(), List.of());
  }

  /** With another etcd binary, and flags of its own for every member. */
  public LocalEtcdCluster(String ipPrefix, int members, MemberTls tls, int start, String binary, List<String> extraFlags)
      throws IOException {
    dir = Files.createTempDirectory("etcd-it");
    this.tls = tls != null;
    String scheme = tls != null ? "https" : "http";
    List<String> initial = new ArrayList<>();
    for (int i = 1; i <= members; i++) {
      ips.add(ipPrefix + i);
      initial.add("m" + i + "=" + scheme + "://" + ipPrefix + i + ":2380");
    }
    try {
      startMembers(ipPrefix, start, scheme, initial, tls, binary, extraFlags);
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> ips.stream().limit(Math.min(start, 2))
          .allMatch(LocalEtcdCluster::healthy));
    } catch (IOException | RuntimeException e) {
      // Members started so far would outlive the test (and hold their addresses for the next one): stop them.
      String tails = logTails();
      close();
      throw new IllegalStateException("local etcd members did not become healthy; their logs end: " + tails, e);
    }
  }

  private void startMembers(String ipPrefix, int start, String scheme, List<String> initial, MemberTls tls,
      String binary, List<String> extraFlags) throws IOException {
    for (int i = 1; i <= start; i++) {
      String ip = ipPrefix + i;
      java.util.List<String> cmd = new ArrayList<>(java.util.List.of(binary, "--name=m" + i, "--data-dir=" + dir.resolve("m" + i),
          "--listen-peer-urls=" + scheme + "://" + ip + ":2380", "--initial-advertise-peer-urls=" + scheme + "://" + ip + ":2380",
          "--listen-client-urls=" + scheme + "://" + ip + ":2379", "--advertise-client-urls=" + scheme + "://" + ip + ":2379",
          "--listen-metrics-urls=http://" + ip + ":2381",
          "--initial-cluster=" + String.join(",", initial), "--initial-cluster-state=new",
          "--initial-cluster-token=it-" + ipPrefix, "--logger=zap"));
      cmd.addAll(extraFlags);
      if (tls != null) {
        Path certs = dir.resolve("m" + i + "-tls");
        Files.createDirectories(certs);
        tls.write(i, ip, certs);
        // The operator's own TLS flags, with this member's files.
        cmd.addAll(io.etcdpilot.operator.model.EtcdFlags.mutualTls(new io.etcdpilot.operator.model.EtcdFlags.TlsFiles(
            certs.resolve("server.crt").toString(), certs.resolve("server.key").toString(),
            certs.resolve("peer.crt").toString(), certs.resolve("peer.key").toString(), certs.resolve("ca.crt").toString()),
            tls.peerAllowedHostname(), tls.clientAllowedHostname()));
      }
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("m" + i + ".log").toFile());
      processes.add(pb.start());
    }
  }

  /** The last line of each started member's log. */
  private String logTails() {
    StringBuilder out = new StringBuilder();
    for (int i = 1; i <= processes.size(); i++) {
      try {
        List<String> lines = Files.readAllLines(dir.resolve("m" + i + ".log"));
        out.append("\n  m").append(i).append(": ").append(lines.isEmpty() ? "(empty)" : lines.get(lines.size() - 1));
      } catch (IOException e) {
        out.append("\n  m").append(i).append(": (no log)");
      }
    }
    return out.toString();
  }

  public static String binary() {
    String b = System.getenv("ETCD_BINARY");
    return b != null && !b.isBlank() ? b : "/usr/bin/etcd";
  }

  public List<String> clientUrls() {
    return ips.stream().map(ip -> (tls ? "https://" : "http://") + ip + ":2379").toList();
  }

  public String log(int member) throws IOException {
    return Files.readString(dir.resolve("m" + member + ".log"));
  }

  public static boolean healthy(String ip) {
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
