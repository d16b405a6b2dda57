package io.etcdpilot.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The unchanged operator (io.etcdpilot.operator.Main), run as its own JVM against the sandbox through a
 * kubeconfig. The only sandbox-specific settings are OS-level: the hosts file it resolves member names
 * with, and no DNS caching (names appear as pods start).
 */
public final class OperatorProcess implements AutoCloseable {
  private final Path kubeconfig;
  private final Path hostsFile;
  private final Path logFile;
  private Process process;

  public OperatorProcess(Path kubeconfig, Path hostsFile, Path logFile) {
    this.kubeconfig = kubeconfig;
    this.hostsFile = hostsFile;
    this.logFile = logFile;
  }

  public synchronized void start() throws IOException {
    start(java.util.Map.of());
  }

  /** @param env extra environment, e.g. the operator's test crash points */
  public synchronized void start(java.util.Map<String, String> env) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.add("-Djdk.net.hosts.file=" + hostsFile);
    cmd.add("-Dsun.net.inetaddr.ttl=1");
    cmd.add("-Dsun.net.inetaddr.negative.ttl=0");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.etcdpilot.operator.Main");
    cmd.add("--kubeconfig=" + kubeconfig);
    cmd.add("--health-port=0");
    cmd.add("--leader-election=true");
    cmd.add("--leader-election-namespace=default");
    Files.createDirectories(logFile.getParent());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    pb.environment().putAll(env);
    process = pb.start();
  }

  public synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  @Override
  public synchronized void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
