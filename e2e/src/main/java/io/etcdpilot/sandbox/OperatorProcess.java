package io.etcdpilot.sandbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The unchanged operator (io.etcdpilot.operator.Main), run as its own JVM against the sandbox through a
 * kubeconfig that holds its ServiceAccount's token, in the namespace the chart installs it to. The only
 * sandbox-specific settings are OS-level: the hosts file it resolves member names with, and no DNS
 * caching (names appear as pods start).
 */
public final class OperatorProcess implements AutoCloseable {
  private final Path jar;
  private final Path kubeconfig;
  private final Path hostsFile;
  private final Path logFile;
  private final String namespace;
  private final String podName;
  private final int healthPort;
  private ChildProcess process;

  /** What the sandbox's store needs of the operator's snapshot endpoint policy (its chart value too). */
  public static final String SANDBOX_ENDPOINTS = "http loopback";

  /** @param podName the replica's name, as a Deployment's pod has its own (leader election tells replicas apart by it) */
  public OperatorProcess(Path jar, Path kubeconfig, Path hostsFile, Path logFile, String namespace, String podName)
      throws IOException {
    this.podName = podName;
    this.healthPort = io.etcdpilot.sandbox.controlplane.ControlPlane.freePort();
    this.jar = jar;
    this.kubeconfig = kubeconfig;
    this.hostsFile = hostsFile;
    this.logFile = logFile;
    this.namespace = namespace;
  }

  /** @param env extra environment, e.g. the operator's test crash points */
  public synchronized void start(Map<String, String> env) throws IOException {
    start(env, List.of());
  }

  /** @param extraArgs operator flags after the sandbox's own (a later flag wins) */
  public synchronized void start(Map<String, String> env, List<String> extraArgs) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.add("-Djdk.net.hosts.file=" + hostsFile);
    cmd.add("-Dsun.net.inetaddr.ttl=1");
    cmd.add("-Dsun.net.inetaddr.negative.ttl=0");
    // The jar the image ships (its logging, its dependencies), not the test classpath.
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.add("--kubeconfig=" + kubeconfig);
    cmd.add("--health-port=" + healthPort);
    cmd.add("--leader-election=true");
    // The sandbox's object store listens on a loopback address over plain http: an operator setting allows that.
    cmd.add("--snapshot-endpoints-allow=" + SANDBOX_ENDPOINTS);
    cmd.addAll(extraArgs);
    Map<String, String> all = new HashMap<>(env);
    // What the chart's Deployment sets from the downward API, and what every container's hostname is: its pod's name.
    all.put("POD_NAMESPACE", namespace);
    all.put("HOSTNAME", podName);
    process = ChildProcess.start("operator", cmd, all, logFile);
  }

  public synchronized boolean alive() {
    return process != null && process.alive();
  }

  /** Where its /metrics, /healthz and /readyz answer (the chart's `health` port). */
  public java.net.URI healthUrl() {
    return java.net.URI.create("http://127.0.0.1:" + healthPort);
  }

  /** The pod name it runs as (its leader-election identity). */
  public String podName() {
    return podName;
  }

  public Path logFile() {
    return logFile;
  }

  /** The operator's process id (for bin/bench); -1 when it is not running. */
  public synchronized long pid() {
    return process == null || !process.alive() ? -1 : process.pid();
  }

  @Override
  public synchronized void close() throws InterruptedException {
    if (process != null) process.stop(15);
  }
}
