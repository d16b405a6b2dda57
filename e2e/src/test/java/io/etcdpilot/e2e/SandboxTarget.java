package io.etcdpilot.e2e;

import io.etcdpilot.sandbox.Etcdctl;
import io.etcdpilot.sandbox.Faults;
import io.etcdpilot.sandbox.Sandbox;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The sandbox in this JVM (real control plane, our kubelet), the operator as a child process with the chart's
 * RBAC; the JVM resolves pod names through the sandbox's hosts file. Nodes: {@value #NODES}, the last
 * {@value #DEDICATED} dedicated to etcd, so that a 5-member cluster, a drained node's member and a cluster on
 * dedicated nodes all find room.
 */
final class SandboxTarget implements TargetCluster {
  static final int NODES = 9;
  static final int DEDICATED = 3;
  private final Sandbox sandbox;
  private final KubernetesClient client;
  private final String version;

  SandboxTarget() throws Exception {
    String hosts = System.getProperty("jdk.net.hosts.file");
    if (hosts == null) throw new IllegalStateException("run with -Djdk.net.hosts.file=... (the e2e pom sets it)");
    Path dir = Path.of(hosts).getParent();
    // Every run starts empty: volumes left by an earlier run would hold another cluster's data.
    io.etcdpilot.sandbox.FileTrees.empty(dir);
    // One sandbox per test JVM, in e2e-sandbox-<fork>: instance 1 + fork (the CLI's is 1), so that their addresses,
    // uids and chains never meet.
    String name = dir.getFileName().toString();
    int instance = 1 + (name.matches("e2e-sandbox-\\d+") ? Integer.parseInt(name.substring("e2e-sandbox-".length())) : 1);
    sandbox = Sandbox.start(new Sandbox.Options(dir, Path.of(hosts), true, instance, NODES, DEDICATED));
    client = sandbox.client();
    version = Sandbox.supportedEtcdVersion(sandbox.binaries());
  }

  Sandbox sandbox() {
    return sandbox;
  }

  @Override
  public java.util.Optional<io.etcdpilot.sandbox.storage.ObjectStoreServer> objectStore() {
    return java.util.Optional.of(sandbox.objectStore());
  }

  @Override
  public KubernetesClient client() {
    return client;
  }

  @Override
  public String etcdVersion() {
    return version;
  }

  @Override
  public Exec etcdctl(String namespace, String cluster, String... args) {
    try {
      List<String> cmd = Etcdctl.command(sandbox.hostsFile(), sandbox.binaries(), version,
          Etcdctl.endpoints(client, namespace, cluster), clientFiles(namespace, cluster), List.of(args));
      return Exec.run(cmd, java.util.Map.of("ETCDCTL_API", "3"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private Etcdctl.ClientFiles clientFiles(String namespace, String cluster) throws IOException {
    return Etcdctl.clientFiles(client, namespace, cluster, sandbox.dir().resolve("etcdctl").resolve(namespace + "-" + cluster));
  }

  @Override
  public ClientCredentials credentials(String namespace, String cluster) {
    try {
      Etcdctl.ClientFiles f = clientFiles(namespace, cluster);
      return f == null ? null : ClientCredentials.read(f.ca(), f.cert(), f.key());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public List<String> clientUrls(String namespace, String cluster) {
    return Etcdctl.endpoints(client, namespace, cluster);
  }

  @Override
  public void fault(String namespace, String pod, Faults.Fault fault) {
    fault(namespace, pod, fault, null);
  }

  @Override
  public String podLog(String namespace, String pod, String container) {
    java.nio.file.Path log = sandbox.dir().resolve("logs").resolve(namespace + "_" + pod + "_" + container + ".log");
    try {
      return java.nio.file.Files.exists(log) ? java.nio.file.Files.readString(log) : "";
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public void fault(String namespace, String pod, Faults.Fault fault, String arg) {
    try {
      Faults.inject(sandbox.dir(), client, namespace, pod, fault, arg);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void restartOperator(java.util.Map<String, String> env) {
    try {
      sandbox.restartOperator(env);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean startStandbyOperator() {
    try {
      sandbox.startStandbyOperator();
      return true;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean standbyOperatorLeads() {
    return sandbox.standbyOperator().filter(io.etcdpilot.sandbox.OperatorProcess::alive).map(p -> {
      try {
        // JOSDK's words once this replica's Lease is taken.
        return java.nio.file.Files.readString(p.logFile()).contains("New leader with identity: "
            + io.etcdpilot.sandbox.OperatorInstall.RELEASE + "-1");
      } catch (IOException e) {
        return false;
      }
    }).orElse(false);
  }

  @Override
  public void stopStandbyOperator() {
    try {
      sandbox.stopStandbyOperator();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean operatorRunning() {
    return sandbox.operator() != null && sandbox.operator().alive();
  }

  @Override
  public boolean memberProcessAlive(String namespace, String pod) {
    return sandbox.kubelet().pid(namespace, pod, null).flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
  }

  @Override
  public Exec kubectl(String... args) {
    List<String> cmd = new java.util.ArrayList<>(List.of(sandbox.controlPlane().kubectl().toString()));
    cmd.addAll(List.of(args));
    return Exec.run(cmd, java.util.Map.of("KUBECONFIG", sandbox.kubeconfig().toString()));
  }

  @Override
  public java.util.Optional<io.etcdpilot.sandbox.monitoring.PrometheusServer> monitoring() {
    if (!java.nio.file.Files.isExecutable(io.etcdpilot.sandbox.monitoring.PrometheusServer.BINARY)) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(sandbox.startMonitoring());
    } catch (Exception e) {
      throw new IllegalStateException("cannot start Prometheus", e);
    }
  }

  @Override
  public java.util.Optional<java.nio.file.Path> auditLog() {
    return java.util.Optional.of(sandbox.dir().resolve("logs").resolve("audit.log"));
  }

  @Override
  public String operatorLog() {
    return operatorLog(sandbox.dir());
  }

  /** The operator log of a sandbox (its directory), also after it stopped. */
  static String operatorLog(java.nio.file.Path sandboxDir) {
    // Every replica's: the standby's lines count as much as the leader's, and the chart's pods' as the processes'.
    java.nio.file.Path logs = sandboxDir.resolve("logs");
    try (var files = java.nio.file.Files.list(logs)) {
      StringBuilder all = new StringBuilder();
      for (java.nio.file.Path f : files.filter(f -> {
        String n = f.getFileName().toString();
        return n.equals("operator.log") || n.equals("operator-standby.log")
            || n.startsWith(io.etcdpilot.sandbox.OperatorInstall.NAMESPACE + "_" + io.etcdpilot.sandbox.OperatorInstall.RELEASE + "-")
            && n.endsWith("_operator.log");
      }).sorted().toList()) {
        all.append(java.nio.file.Files.readString(f));
      }
      return all.toString();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws Exception {
    client.close();
    sandbox.close();
  }
}
