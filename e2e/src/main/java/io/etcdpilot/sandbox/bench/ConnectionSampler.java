package io.etcdpilot.sandbox.bench;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The operator's established TCP connections to etcd's client port, from the kernel's socket table ({@code ss}).
 * A connection seen in a later sample and not in the first is a new one (each is a TLS handshake with TLS on).
 */
final class ConnectionSampler {
  private final long pid;
  private final int port;
  private Set<String> first;
  private final Set<String> seen = new HashSet<>();
  private Set<String> last = Set.of();

  ConnectionSampler(long pid, int port) {
    this.pid = pid;
    this.port = port;
  }

  void sample() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("ss", "-Htnp", "state", "established", "( dport = :" + port + " )")
        .redirectErrorStream(true).start();
    List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
    p.waitFor();
    Set<String> now = new HashSet<>();
    for (String line : lines) {
      if (!line.contains("pid=" + pid + ",")) continue;
      String[] f = line.trim().split("\\s+");
      // Recv-Q Send-Q Local Peer Process
      now.add(f[2] + ">" + f[3]);
    }
    if (first == null) first = now;
    seen.addAll(now);
    last = now;
  }

  /** Connections opened after the first sample. */
  int opened() {
    Set<String> fresh = new HashSet<>(seen);
    fresh.removeAll(first);
    return fresh.size();
  }

  int open() {
    return last.size();
  }
}
