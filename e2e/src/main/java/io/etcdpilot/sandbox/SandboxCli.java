package io.etcdpilot.sandbox;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterSpec;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterStatus;
import io.etcdpilot.operator.status.Conditions;
import io.etcdpilot.sandbox.kubelet.EtcdBinaries;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The `e2e/sandbox` command: up, down, etcdctl, fault. */
public final class SandboxCli {
  static final String USAGE = """
      usage:
        sandbox up      [--dir DIR] [--no-demo] [--nodes N] [--dedicated N] [--monitoring] [--operator-pods]
                                                          start the sandbox (foreground; Ctrl-C stops it): the real
                                                          Kubernetes control plane and N nodes (default 3), the last
                                                          --dedicated of them labelled and tainted for etcd;
                                                          --monitoring adds Prometheus with the chart's alert rules;
                                                          --operator-pods runs the operator as the chart's Deployment
                                                          (its pods run by the kubelet) instead of a local process
        sandbox down    [--dir DIR]                       stop a running sandbox
        sandbox etcdctl [--dir DIR] NAMESPACE/CLUSTER -- ARGS...
        sandbox etcdctl [--dir DIR] --control-plane -- ARGS...   the control plane's own etcd
        sandbox fault   [--dir DIR] NAMESPACE/POD[,POD...] crash|freeze|thaw|wipe-data|corrupt|partition|isolate|heal|
                        slow-disk [DELAY (200ms)]|fast-disk|cut-etcd|mend-etcd|pull-fails|pull-ok|cut-api|mend-api
        sandbox etcd-versions                             the etcd versions member pods can run, one per line
        sandbox bench   [--dir DIR] [--clusters 1,10,50] [--window SECONDS] [--runs N (5)]
                                                          measure the operator in a fresh sandbox (bin/bench)
        sandbox bench-snapshots [--dir DIR] [--gib N (1)]      snapshot and restore throughput, memory (bin/bench-snapshots)
        sandbox bench-maintenance [--dir DIR] [--gib N (1)]     defragmentation sweep and NOSPACE recovery (bin/bench-maintenance)
        sandbox soak [--dir DIR] [--minutes N (30)] [--seed S]  faults one after another under the history checker (bin/soak)
        sandbox bench-memory [--dir DIR] [--clusters N (50)] [--gib N (1)]
                                                          the operator's memory as the chart runs it (bin/bench-memory)
      DIR defaults to $ETCDPILOT_SANDBOX_DIR, else .sandbox in the repository.
      """;

  private SandboxCli() {}

  public static void main(String[] argv) throws Exception {
    List<String> args = new ArrayList<>(Arrays.asList(argv));
    if (args.isEmpty() || args.contains("-h") || args.contains("--help")) {
      System.out.print(USAGE);
      System.exit(args.isEmpty() ? 2 : 0);
    }
    String verb = args.remove(0);
    Path dir = Path.of(System.getenv().getOrDefault("ETCDPILOT_SANDBOX_DIR", ".sandbox")).toAbsolutePath();
    int dirAt = args.indexOf("--dir");
    int dashes = args.indexOf("--");
    if (dirAt >= 0 && (dashes < 0 || dirAt < dashes)) {
      dir = Path.of(args.get(dirAt + 1)).toAbsolutePath();
      args.remove(dirAt + 1);
      args.remove(dirAt);
    }
    int code;
    try {
      code = run(verb, dir, args);
    } catch (Exception e) {
      StringBuilder why = new StringBuilder("error: " + e.getMessage());
      for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) why.append("\n  caused by: ").append(c);
      System.err.println(why);
      if (System.getenv("ETCDPILOT_DEBUG") != null) e.printStackTrace();
      code = 1;
    }
    System.exit(code);
  }

  private static int run(String verb, Path dir, List<String> args) throws Exception {
    return switch (verb) {
      case "up" -> up(dir, !args.contains("--no-demo"), intOption(args, "--nodes", 3), intOption(args, "--dedicated", 0),
          args.contains("--monitoring"), args.contains("--operator-pods"));
      case "down" -> down(dir);
      case "etcdctl" -> etcdctl(dir, args);
      case "fault" -> fault(dir, args);
      case "bench" -> io.etcdpilot.sandbox.bench.Bench.run(dir, args);
      case "bench-memory" -> io.etcdpilot.sandbox.bench.MemoryBench.run(dir, args);
      case "bench-maintenance" -> io.etcdpilot.sandbox.bench.MaintenanceBench.run(dir, args);
      case "soak" -> io.etcdpilot.sandbox.bench.Soak.run(dir, args);
      case "bench-snapshots" -> {
        var binaries = new io.etcdpilot.sandbox.kubelet.EtcdBinaries(io.etcdpilot.sandbox.kubelet.EtcdBinaries.defaultCache(),
            io.etcdpilot.sandbox.controlplane.KubeBinaries.locate());
        yield io.etcdpilot.sandbox.bench.SnapshotBench.run(dir, args, binaries, Sandbox.supportedEtcdVersion(binaries));
      }
      case "etcd-versions" -> {
        // Pinned module releases (built on first use), the system's etcd, and any fetched from Debian.
        new EtcdBinaries(EtcdBinaries.defaultCache(), io.etcdpilot.sandbox.controlplane.KubeBinaries.locate())
            .available().forEach(System.out::println);
        yield 0;
      }
      default -> {
        System.err.print("unknown command " + verb + "\n" + USAGE);
        yield 2;
      }
    };
  }

  private static int intOption(List<String> args, String name, int fallback) {
    int at = args.indexOf(name);
    if (at < 0) return fallback;
    if (at + 1 >= args.size()) throw new IllegalArgumentException(name + " needs a number");
    try {
      return Integer.parseInt(args.get(at + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " needs a number, not '" + args.get(at + 1) + "'");
    }
  }

  static int up(Path dir, boolean demo, int nodes, int dedicated, boolean monitoring, boolean operatorPods) throws Exception {
    if (!"root".equals(System.getProperty("user.name"))) {
      System.err.println("the sandbox runs etcd members in private mount namespaces and needs root: run it as root (e.g. sudo e2e/sandbox up)");
      return 1;
    }
    Path pidFile = dir.resolve("sandbox.pid");
    if (Files.exists(pidFile) && ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).map(ProcessHandle::isAlive).orElse(false)) {
      System.err.println("a sandbox is already running in " + dir + " (pid " + Files.readString(pidFile).trim() + "); stop it with: e2e/sandbox down --dir " + dir);
      return 1;
    }
    FileTrees.empty(dir);
    Files.createDirectories(dir);
    Files.writeString(pidFile, Long.toString(ProcessHandle.current().pid()));
    System.out.println("starting sandbox in " + dir);
    Instant started = Instant.now();
    Sandbox sandbox = Sandbox.start(new Sandbox.Options(dir, dir.resolve("hosts"), !operatorPods, 1, nodes, dedicated));
    if (operatorPods) sandbox.runChartDeployment();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("\nstopping sandbox...");
      try {
        sandbox.close();
        Files.deleteIfExists(dir.resolve("ready"));
        Files.deleteIfExists(pidFile);
      } catch (Exception e) {
        System.err.println("stop: " + e);
      }
      System.out.println("sandbox stopped");
      stopped.countDown();
    }));
    try (KubernetesClient client = sandbox.client()) {
      waitForOperator(client, sandbox);
      Files.writeString(dir.resolve("ready"), Instant.now() + "\n");
      System.out.println("Kubernetes " + sandbox.controlPlane().server() + " (real kube-apiserver, controller manager, scheduler; "
          + sandbox.nodeNames().size() + " nodes)  kubeconfig: " + sandbox.kubeconfig());
      if (operatorPods) {
        System.out.println("operator: the chart's Deployment " + OperatorInstall.NAMESPACE + "/" + OperatorInstall.RELEASE
            + ", its pods run by the kubelet (kubectl -n " + OperatorInstall.NAMESPACE + " logs deploy/" + OperatorInstall.RELEASE
            + "; metrics at http://<pod IP>:8081/metrics); control-plane logs in " + dir.resolve("logs"));
      } else {
        System.out.println("operator running with the chart's RBAC in " + OperatorInstall.NAMESPACE + " (log: "
            + dir.resolve("logs/operator.log") + "; metrics " + sandbox.operator().healthUrl().resolve("/metrics")
            + "); control-plane logs in " + dir.resolve("logs"));
      }
      System.out.println("object store (s3proxy) " + sandbox.objectStore().endpoint() + ", bucket "
          + io.etcdpilot.sandbox.storage.ObjectStoreServer.BUCKET + ", files in " + sandbox.objectStore().dir()
          + "; credentials in Secret default/" + io.etcdpilot.sandbox.storage.ObjectStoreServer.SECRET);
      if (monitoring) {
        var prometheus = sandbox.startMonitoring();
        System.out.println("Prometheus " + prometheus.url() + " (the chart's alert rules; every member scraped as job"
            + " etcd, the operator as job etcdpilot; data in " + dir.resolve("prometheus") + ")");
      }
      if (demo) {
        String version = Sandbox.supportedEtcdVersion(sandbox.binaries());
        EtcdCluster ec = new EtcdCluster();
        ec.setMetadata(new ObjectMetaBuilder().withName("demo").withNamespace("default").build());
        EtcdClusterSpec spec = new EtcdClusterSpec();
        spec.setReplicas(3);
        spec.setVersion(version);
        // Snapshots go to the sandbox's object store (no schedule): an EtcdSnapshot naming only the cluster works.
        var snapshots = new io.etcdpilot.operator.api.v1alpha1.SnapshotsSpec();
        var destination = new io.etcdpilot.operator.api.v1alpha1.SnapshotDestination();
        destination.setS3(sandbox.objectStore().destination());
        snapshots.setDestination(destination);
        spec.setSnapshots(snapshots);
        ec.setSpec(spec);
        client.resource(ec).create();
        System.out.println("applied EtcdCluster default/demo: 3 members, etcd " + version);
        followUntilReady(client, "default", "demo", Duration.ofMinutes(5));
        System.out.println("from start to Ready in " + Duration.between(started, Instant.now()).toMillis() / 100 / 10.0 + " s");
      }
      System.out.println("""

          try:
            kubectl --kubeconfig %1$s get etcdclusters,statefulsets,pods
            e2e/sandbox etcdctl --dir %2$s default/demo -- endpoint health --cluster
            e2e/sandbox fault --dir %2$s default/demo-1 crash
          Ctrl-C (or e2e/sandbox down --dir %2$s) stops everything.""".formatted(sandbox.kubeconfig(), dir));
    }
    stopped.await();
    return 0;
  }

  private static void waitForOperator(KubernetesClient client, Sandbox sandbox) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(120);
    while (Instant.now().isBefore(deadline)) {
      if (sandbox.operator() != null && !sandbox.operator().alive()) throw new IllegalStateException("the operator exited; see " + sandbox.dir().resolve("logs/operator.log"));
      if (client.leases().inNamespace(OperatorInstall.NAMESPACE).withName("etcdpilot-operator").get() != null) return;
      Thread.sleep(500);
    }
    throw new IllegalStateException("the operator did not take its lease within 2 minutes; see " + (sandbox.operator() == null
        ? "kubectl -n " + OperatorInstall.NAMESPACE + " logs deploy/" + OperatorInstall.RELEASE : sandbox.dir().resolve("logs/operator.log")));
  }

  private static void followUntilReady(KubernetesClient client, String ns, String name, Duration timeout) throws InterruptedException {
    String last = "";
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      EtcdCluster ec = client.resources(EtcdCluster.class).inNamespace(ns).withName(name).get();
      EtcdClusterStatus s = ec == null ? null : ec.getStatus();
      long running = client.pods().inNamespace(ns).withLabel("etcdpilot.io/cluster", name).list().getItems().stream()
          .filter(p -> "Running".equals(p.getStatus().getPhase())).count();
      String line = s == null ? "waiting for the operator" : String.format("pods running %d, members ready %s/%d, %s",
          running, s.getReadyReplicas(), ec.getSpec().getReplicas(),
          Conditions.find(s.getConditions(), Conditions.READY).map(c -> "Ready=" + c.getStatus() + " (" + c.getReason() + ")").orElse(""));
      if (!line.equals(last)) {
        System.out.println("  " + ns + "/" + name + ": " + line);
        last = line;
      }
      if (s != null && Conditions.isTrue(s.getConditions(), Conditions.READY)) {
        System.out.println(ns + "/" + name + " is Ready: leader " + s.getLeader() + ", cluster " + s.getClusterID());
        return;
      }
      Thread.sleep(1000);
    }
    System.out.println(ns + "/" + name + " is not Ready after " + timeout.toMinutes() + " minutes; see kubectl describe etcdcluster " + name);
  }

  static int down(Path dir) throws Exception {
    Path pidFile = dir.resolve("sandbox.pid");
    if (!Files.exists(pidFile)) {
      System.out.println("no sandbox running in " + dir);
      return 0;
    }
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    var handle = ProcessHandle.of(pid);
    if (handle.isPresent() && handle.get().isAlive()) {
      handle.get().destroy();
      try {
        handle.get().onExit().get(120, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        System.err.println("sandbox (pid " + pid + ") did not stop within 2 minutes; killing what it started");
        handle.get().destroyForcibly();
      }
    }
    killLeftovers(dir);
    Files.deleteIfExists(pidFile);
    System.out.println("sandbox in " + dir + " stopped");
    return 0;
  }

  /** Belt and braces: no member or control-plane process may outlive its sandbox. */
  private static void killLeftovers(Path dir) throws IOException {
    for (String where : List.of("pods", "logs")) {
      killPids(dir.resolve(where));
    }
  }

  private static void killPids(Path under) throws IOException {
    if (!Files.isDirectory(under)) return;
    try (Stream<Path> files = Files.walk(under)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".pid")).toList()) {
        ProcessHandle.of(Long.parseLong(Files.readString(f).trim())).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }


  static int etcdctl(Path dir, List<String> args) throws Exception {
    int dashes = args.indexOf("--");
    if (!args.isEmpty() && args.get(0).equals("--control-plane")) {
      if (!Files.exists(dir.resolve("ready"))) throw new IllegalStateException("no running sandbox in " + dir + " (start one with e2e/sandbox up)");
      List<String> where = Files.readAllLines(dir.resolve("control-plane").resolve("etcdctl"));
      List<String> cmd = new ArrayList<>(List.of(where.get(0), "--endpoints=" + where.get(1)));
      cmd.addAll(dashes >= 0 ? args.subList(dashes + 1, args.size()) : args.subList(1, args.size()));
      return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }
    if (args.isEmpty() || !args.get(0).contains("/")) {
      System.err.print("etcdctl needs NAMESPACE/CLUSTER\n" + USAGE);
      return 2;
    }
    String[] target = args.get(0).split("/", 2);
    List<String> rest = dashes >= 0 ? args.subList(dashes + 1, args.size()) : args.subList(1, args.size());
    try (KubernetesClient client = clientFor(dir)) {
      EtcdCluster ec = client.resources(EtcdCluster.class).inNamespace(target[0]).withName(target[1]).get();
      List<String> cmd = Etcdctl.command(dir.resolve("hosts"), new EtcdBinaries(EtcdBinaries.defaultCache(),
          io.etcdpilot.sandbox.controlplane.KubeBinaries.locate()),
          ec == null ? null : ec.getSpec().getVersion(), Etcdctl.endpoints(client, target[0], target[1]),
          Etcdctl.clientFiles(client, target[0], target[1], dir.resolve("etcdctl").resolve(target[0] + "-" + target[1])), rest);
      ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
      pb.environment().put("ETCDCTL_API", "3");
      return pb.start().waitFor();
    }
  }

  static int fault(Path dir, List<String> args) throws Exception {
    if (args.size() < 2 || args.size() > 3 || !args.get(0).contains("/")) {
      System.err.print(USAGE);
      return 2;
    }
    String[] target = args.get(0).split("/", 2);
    try (KubernetesClient client = clientFor(dir)) {
      System.out.println(Faults.inject(dir, client, target[0], target[1], Faults.parse(args.get(1)),
          args.size() == 3 ? args.get(2) : null));
      return 0;
    }
  }

  private static KubernetesClient clientFor(Path dir) throws IOException {
    Path kubeconfig = dir.resolve("kubeconfig");
    if (!Files.exists(dir.resolve("ready"))) throw new IllegalStateException("no running sandbox in " + dir + " (start one with e2e/sandbox up)");
    return new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
        io.fabric8.kubernetes.client.Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString())).build();
  }
}
