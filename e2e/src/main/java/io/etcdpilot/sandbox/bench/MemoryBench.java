package io.etcdpilot.sandbox.bench;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdOptions;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshotSpec;
import io.etcdpilot.operator.api.v1alpha1.SnapshotDestination;
import io.etcdpilot.operator.api.v1alpha1.SnapshotsSpec;
import io.etcdpilot.operator.api.v1alpha1.StorageSpec;
import io.etcdpilot.operator.api.v1alpha1.TlsSpec;
import io.etcdpilot.operator.status.Conditions;
import io.etcdpilot.sandbox.FileTrees;
import io.etcdpilot.sandbox.OperatorInstall;
import io.etcdpilot.sandbox.Sandbox;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/bench-memory}: the operator's memory as the chart runs it, its Deployment's pod with the image's JVM flags
 * and the chart's memory limit (the sandbox cannot enforce a cgroup limit, so the kubelet gives it to the JVM as
 * {@code -XX:MaxRAM}): the resident set at rest with N clusters, and while a snapshot of a large database streams;
 * and how long another cluster's snapshot takes meanwhile (the snapshot pool is shared and bounded). Asserts nothing.
 */
public final class MemoryBench {
  private static final String NS = "bench-memory";

  private MemoryBench() {}

  public static int run(Path dir, List<String> args) throws Exception {
    int clusters = Integer.parseInt(option(args, "--clusters", "50"));
    long gib = Long.parseLong(option(args, "--gib", "1"));
    FileTrees.empty(dir);
    Files.createDirectories(dir);
    try (Sandbox sandbox = Sandbox.start(new Sandbox.Options(dir, dir.resolve("hosts"), true, 1, 5, 0));
         KubernetesClient client = sandbox.client()) {
      String version = Sandbox.supportedEtcdVersion(sandbox.binaries());
      sandbox.runChartDeployment();
      String limit = chartLimit(sandbox);
      client.resource(new NamespaceBuilder().withNewMetadata().withName(NS).withLabels(Sandbox.RESTRICTED).endMetadata()
          .build()).create();
      sandbox.objectStore().secret(client, NS);
      long pid = leaderPid(sandbox, client);
      System.out.printf("operator: the chart's Deployment, image JVM flags, memory limit %s (given to the JVM as MaxRAM)%n",
          limit);

      for (int i = 0; i < clusters; i++) client.resource(Bench.cluster(NS, "c" + i, 1, version, true)).create();
      client.resource(withSnapshots(Bench.cluster(NS, "big", 1, version, false), sandbox, gib)).create();
      client.resource(withSnapshots(Bench.cluster(NS, "small", 1, version, false), sandbox, gib)).create();
      Bench.awaitTrue(clusters + 2 + " clusters Ready", Duration.ofMinutes(15), () -> ready(client) == clusters + 2);
      Thread.sleep(10_000);
      long atRest = peakRss(pid, Duration.ofSeconds(30), () -> false);
      ProcessMemory rest = ProcessMemory.of(pid);

      String bigUrl = "http://big-0.big-peer." + NS + ".svc.cluster.local:2379";
      long dbSize = SnapshotBench.fill(bigUrl, gib << 30);
      client.resource(snapshot("big-snap", "big")).create();
      Instant started = Instant.now();
      Bench.awaitTrue("big-snap running", Duration.ofMinutes(2), () -> "Running".equals(phase(client, "big-snap")));
      client.resource(snapshot("small-snap", "small")).create();
      Instant smallStarted = Instant.now();
      long[] smallSeconds = {-1};
      long streaming = peakRss(pid, Duration.ofMinutes(30), () -> {
        if (smallSeconds[0] < 0 && "Succeeded".equals(phase(client, "small-snap"))) {
          smallSeconds[0] = Duration.between(smallStarted, Instant.now()).toSeconds();
        }
        String p = phase(client, "big-snap");
        return "Succeeded".equals(p) || "Failed".equals(p);
      });
      double bigSeconds = Duration.between(started, Instant.now()).toMillis() / 1000.0;

      System.out.printf("%n| | operator RSS |%n|---|---|%n");
      System.out.printf("| at rest, %d clusters (live heap %d MiB, metaspace %d MiB) | %d MiB (peak over 30 s) |%n",
          clusters + 2, rest.liveHeapMiB(), rest.metaspaceMiB(), atRest >> 10);
      System.out.printf("| a %.2f GiB snapshot streaming (%s in %.0f s), %d clusters | %d MiB (peak) |%n",
          dbSize / (double) (1L << 30), phase(client, "big-snap"), bigSeconds, clusters + 2, streaming >> 10);
      System.out.printf("| the chart's memory limit | %s |%n", limit);
      System.out.printf("%nanother cluster's snapshot while the large one streamed: %s in %d s%n",
          phase(client, "small-snap"), smallSeconds[0]);
    }
    return 0;
  }

  /** How many of the bench's clusters are Ready; a Stalled one ends the bench at once, with the operator's words. */
  private static long ready(KubernetesClient client) {
    long ready = 0;
    for (EtcdCluster c : client.resources(EtcdCluster.class).inNamespace(NS).list().getItems()) {
      if (c.getStatus() == null) continue;
      var stalled = Conditions.find(c.getStatus().getConditions(), Conditions.STALLED)
          .filter(x -> "True".equals(x.getStatus()));
      if (stalled.isPresent()) {
        throw new IllegalStateException(c.getMetadata().getName() + " is Stalled: " + stalled.get().getMessage());
      }
      if (Conditions.isTrue(c.getStatus().getConditions(), Conditions.READY)) ready++;
    }
    return ready;
  }

  /** The highest VmRSS (KiB) seen, sampled every 250 ms, until {@code done} or the time is up. */
  private static long peakRss(long pid, Duration max, java.util.function.BooleanSupplier done) throws Exception {
    long peak = 0;
    Instant end = Instant.now().plus(max);
    while (Instant.now().isBefore(end)) {
      long rss = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
          .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0L);
      peak = Math.max(peak, rss);
      if (done.getAsBoolean()) break;
      Thread.sleep(250);
    }
    return peak;
  }

  /** The process of the Deployment's pod that holds the Lease. */
  private static long leaderPid(Sandbox sandbox, KubernetesClient client) throws Exception {
    Bench.awaitTrue("a Lease holder among the Deployment's pods", Duration.ofMinutes(3), () -> {
      var lease = client.leases().inNamespace(OperatorInstall.NAMESPACE).withName("etcdpilot-operator").get();
      return lease != null && lease.getSpec().getHolderIdentity() != null && client.pods()
          .inNamespace(OperatorInstall.NAMESPACE).withName(lease.getSpec().getHolderIdentity()).get() != null;
    });
    String holder = client.leases().inNamespace(OperatorInstall.NAMESPACE).withName("etcdpilot-operator").get()
        .getSpec().getHolderIdentity();
    return sandbox.kubelet().pid(OperatorInstall.NAMESPACE, holder, "operator").orElseThrow();
  }

  private static String chartLimit(Sandbox sandbox) throws Exception {
    Map<?, ?> values = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
        .readValue(sandbox.binaries().repository().resolve("charts/etcdpilot/values.yaml").toFile(), Map.class);
    return String.valueOf(((Map<?, ?>) ((Map<?, ?>) values.get("resources")).get("limits")).get("memory"));
  }

  private static EtcdCluster withSnapshots(EtcdCluster c, Sandbox sandbox, long gib) {
    SnapshotsSpec s = new SnapshotsSpec();
    SnapshotDestination d = new SnapshotDestination();
    d.setS3(sandbox.objectStore().destination());
    s.setDestination(d);
    s.setCompression("zstd");
    c.getSpec().setSnapshots(s);
    // Plain text: the bench writes to it directly without a client certificate.
    TlsSpec off = new TlsSpec();
    off.setEnabled(false);
    c.getSpec().setTls(off);
    // Room for the database the bench writes, within what the operator accepts (at most 90% of the volume).
    EtcdOptions o = new EtcdOptions();
    o.setQuotaBackendBytes((gib + 1) << 30);
    StorageSpec storage = new StorageSpec();
    storage.setSize((gib + 1) * 2 + "Gi");
    c.getSpec().setStorage(storage);
    c.getSpec().setEtcd(o);
    return c;
  }

  private static EtcdSnapshot snapshot(String name, String cluster) {
    EtcdSnapshot s = new EtcdSnapshot();
    s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    EtcdSnapshotSpec spec = new EtcdSnapshotSpec();
    spec.setClusterName(cluster);
    s.setSpec(spec);
    return s;
  }

  private static String phase(KubernetesClient client, String name) {
    EtcdSnapshot s = client.resources(EtcdSnapshot.class).inNamespace(NS).withName(name).get();
    return s == null || s.getStatus() == null ? "Pending" : s.getStatus().getPhase();
  }

  private static String option(List<String> args, String name, String fallback) {
    int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : fallback;
  }
}
