package io.etcdpilot.sandbox.bench;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterSpec;
import io.etcdpilot.operator.api.v1alpha1.TlsSpec;
import io.etcdpilot.operator.status.Conditions;
import io.etcdpilot.sandbox.FileTrees;
import io.etcdpilot.sandbox.Sandbox;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code bin/bench}: what the operator costs, measured in one run on the sandbox's real control plane.
 * <ol>
 *   <li>apply → Ready of a 3-member cluster, against the same etcd binary started by hand (3 processes, same
 *       version, plain HTTP on both sides), median of a few runs, and the ratio;</li>
 *   <li>a version roll of a 3- and a 5-member cluster under writes ({@link RollBench});</li>
 *   <li>for N clusters in steady state (1 member each, TLS on, the default): the operator's API requests per minute by
 *       verb (from the API server's audit log), new TCP connections from the operator to etcd per minute (sampled
 *       from the kernel's socket table), and the operator's RSS and live heap.</li>
 * </ol>
 * Not a test: it asserts nothing, it prints numbers for the README's "Performance" section.
 */
public final class Bench {
  private static final String OPERATOR_USER = "system:serviceaccount:etcdpilot-system:etcdpilot";

  private Bench() {}

  public static int run(Path dir, List<String> args) throws Exception {
    List<Integer> counts = Arrays.stream(option(args, "--clusters", "1,10,50").split(",")).map(Integer::parseInt).toList();
    Duration window = Duration.ofSeconds(Long.parseLong(option(args, "--window", "60")));
    int runs = Integer.parseInt(option(args, "--runs", "5"));
    // A fresh sandbox every time: numbers from a half-used one would mean nothing.
    FileTrees.empty(dir);
    Files.createDirectories(dir);
    System.out.println("bench: " + Runtime.getRuntime().availableProcessors() + " cores, "
        + (Files.readString(Path.of("/proc/meminfo")).lines().findFirst().orElse("").replaceAll("\\s+", " ")));
    try (Sandbox sandbox = Sandbox.start(new Sandbox.Options(dir, dir.resolve("hosts"), true, 1, 5, 0));
         KubernetesClient client = sandbox.client()) {
      String version = Sandbox.supportedEtcdVersion(sandbox.binaries());
      Path etcd = sandbox.binaries().binDir(version).orElseThrow().resolve("etcd");
      System.out.println("etcd " + version + ", Kubernetes " + sandbox.controlPlane().server());
      awaitTrue("the operator's lease", Duration.ofMinutes(2), () -> client.leases()
          .inNamespace("etcdpilot-system").withName("etcdpilot-operator").get() != null);

      readyTimes(sandbox, client, etcd, version, runs);
      if (!args.contains("--no-roll")) RollBench.run(client, version, option(args, "--roll-to", "3.6.16"), List.of(3, 5));
      steadyState(sandbox, client, version, counts, window);
    }
    return 0;
  }

  /** Milliseconds from apply to each phase of one bootstrap. */
  private record Phases(long statefulSet, long podsRunning, long serving, long ready) {}

  private static void readyTimes(Sandbox sandbox, KubernetesClient client, Path etcd, String version, int runs)
      throws Exception {
    List<Long> hand = new ArrayList<>();
    List<Phases> operator = new ArrayList<>();
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
    for (int i = 0; i < runs; i++) {
      hand.add(HandStartedEtcd.timeToServing(etcd, sandbox.dir().resolve("bench/hand-" + i), 3));
      String ns = "bench-ready-" + i;
      client.resource(new NamespaceBuilder().withNewMetadata().withName(ns).withLabels(Sandbox.RESTRICTED).endMetadata()
          .build()).create();
      EtcdCluster c = cluster(ns, "ready", 3, version, false);
      Instant applied = Instant.now();
      client.resource(c).create();
      long sts = -1, running = -1, serving = -1, ready = -1;
      Instant deadline = applied.plus(Duration.ofMinutes(3));
      while (ready < 0) {
        if (Instant.now().isAfter(deadline)) throw new IllegalStateException("timed out waiting for " + ns + "/ready");
        long at = Duration.between(applied, Instant.now()).toMillis();
        if (sts < 0 && client.apps().statefulSets().inNamespace(ns).withName("ready").get() != null) sts = at;
        if (sts >= 0 && serving < 0) {
          List<String> ips = client.pods().inNamespace(ns).list().getItems().stream()
              .filter(p -> "Running".equals(p.getStatus().getPhase()) && p.getStatus().getPodIP() != null)
              .map(p -> p.getStatus().getPodIP()).toList();
          if (running < 0 && ips.size() == 3) running = at;
          if (ips.size() == 3 && ips.stream().allMatch(ip -> HandStartedEtcd.healthy(http, ip, 2381))) serving = at;
        }
        if (ready(client, ns, "ready")) ready = at;
        Thread.sleep(10);
      }
      operator.add(new Phases(sts, running, Math.max(serving, running), ready));
      client.namespaces().withName(ns).delete();
      // Gone before the next measurement: a namespace being torn down keeps the operator busy.
      awaitTrue("deletion of " + ns, Duration.ofMinutes(3), () -> client.namespaces().withName(ns).get() == null);
    }
    long h = median(hand);
    long readyAt = median(operator.stream().map(Phases::ready).toList());
    // Each phase as the median of its per-run durations: differences of medians could mix runs.
    long sts = median(operator.stream().map(Phases::statefulSet).toList());
    long kube = median(operator.stream().map(p -> p.podsRunning() - p.statefulSet()).toList());
    long etcdStart = median(operator.stream().map(p -> p.serving() - p.podsRunning()).toList());
    long seen = median(operator.stream().map(p -> p.ready() - p.serving()).toList());
    long own = median(operator.stream().map(p -> p.statefulSet() + p.ready() - p.serving()).toList());
    System.out.printf("%napply -> Ready, 3 members, plain HTTP, etcd %s (median of %d runs)%n", version, runs);
    System.out.printf("  etcd started by hand, until every member serves:     %6d ms   (runs: %s)%n", h, hand);
    System.out.printf("  kubectl apply EtcdCluster, until Ready=True:         %6d ms   (runs: %s)%n", readyAt,
        operator.stream().map(Phases::ready).toList());
    System.out.printf("    apply -> StatefulSet written          (operator)   %6d ms%n", sts);
    System.out.printf("    StatefulSet -> pods running           (Kubernetes) %6d ms%n", kube);
    System.out.printf("    pods running -> every member serves   (etcd)       %6d ms%n", etcdStart);
    System.out.printf("    every member serves -> Ready=True     (operator)   %6d ms%n", seen);
    System.out.printf("  ratio, apply -> Ready over by hand: %.2f; the operator's own share: %d ms%n",
        (double) readyAt / h, own);
  }

  private static void steadyState(Sandbox sandbox, KubernetesClient client, String version, List<Integer> counts,
      Duration window) throws Exception {
    String ns = "bench-steady";
    client.resource(new NamespaceBuilder().withNewMetadata().withName(ns).withLabels(Sandbox.RESTRICTED).endMetadata()
        .build()).create();
    Path audit = sandbox.dir().resolve("logs/audit.log");
    long operatorPid = sandbox.operator().pid();
    int created = 0;
    System.out.printf("%nsteady state, clusters of 1 member with TLS, measured over %d s each%n", window.toSeconds());
    for (int n : counts) {
      for (; created < n; created++) client.resource(cluster(ns, "c" + created, 1, version, true)).create();
      int total = n;
      awaitTrue(n + " clusters Ready", Duration.ofMinutes(10), () -> client.resources(EtcdCluster.class).inNamespace(ns)
          .list().getItems().stream().filter(c -> c.getStatus() != null
              && Conditions.isTrue(c.getStatus().getConditions(), Conditions.READY)).count() == total);
      // Let the passes that follow readiness (their status writes, the last labels) finish before measuring.
      Thread.sleep(10_000);
      long offset = Files.size(audit);
      ConnectionSampler connections = new ConnectionSampler(operatorPid, 2379);
      Instant end = Instant.now().plus(window);
      while (Instant.now().isBefore(end)) {
        connections.sample();
        Thread.sleep(1000);
      }
      connections.sample();
      AuditCounts requests = AuditCounts.read(audit, offset, OPERATOR_USER);
      double perMinute = 60.0 / window.toSeconds();
      ProcessMemory memory = ProcessMemory.of(operatorPid);
      System.out.printf("  %d cluster(s):%n", n);
      System.out.printf("    API requests/min, reconciling:      %s%n", requests.reconciling(perMinute));
      System.out.printf("    API requests/min, leader election:  %s%n", requests.leaderElection(perMinute));
      System.out.printf("    new etcd connections/min:           %.1f (%d open)%n", connections.opened() * perMinute,
          connections.open());
      System.out.printf("    operator RSS / live heap:           %s%n", memory);
    }
  }

  static EtcdCluster cluster(String ns, String name, int replicas, String version, boolean tls) {
    EtcdCluster c = new EtcdCluster();
    c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setReplicas(replicas);
    spec.setVersion(version);
    if (!tls) {
      TlsSpec t = new TlsSpec();
      t.setEnabled(false);
      spec.setTls(t);
    }
    c.setSpec(spec);
    return c;
  }

  static void awaitReady(KubernetesClient client, String ns, String name, Duration timeout) throws InterruptedException {
    awaitTrue(ns + "/" + name + " Ready", timeout, () -> ready(client, ns, name));
  }

  private static boolean ready(KubernetesClient client, String ns, String name) {
    EtcdCluster c = client.resources(EtcdCluster.class).inNamespace(ns).withName(name).get();
    return c != null && c.getStatus() != null && Conditions.isTrue(c.getStatus().getConditions(), Conditions.READY);
  }

  static void awaitTrue(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) throw new IllegalStateException("timed out waiting for " + what);
      Thread.sleep(20);
    }
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  private static String option(List<String> args, String name, String fallback) {
    int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : fallback;
  }
}
