package io.etcdpilot.sandbox.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.CompactOption;
import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdOptions;
import io.etcdpilot.operator.api.v1alpha1.MaintenanceStatus;
import io.etcdpilot.operator.api.v1alpha1.MemberMaintenance;
import io.etcdpilot.operator.api.v1alpha1.StorageSpec;
import io.etcdpilot.sandbox.FileTrees;
import io.etcdpilot.sandbox.Sandbox;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code bin/bench-maintenance}: a 3-member cluster with a half-free database of about N GiB (written, then every other
 * key deleted and compacted) is left to the operator's default defragmentation rule under a steady write load; prints
 * per member the defragmentation time and the bytes it gave back, the leader changes of the sweep, failed writes, and
 * write latency p50/p99 before and during the sweep. Then a cluster with a small quota is written until NOSPACE and
 * the time until it takes writes again (with no human step) is printed. Asserts nothing.
 */
public final class MaintenanceBench {
  private static final String NS = "bench-maintenance";

  private MaintenanceBench() {}

  public static int run(Path dir, List<String> args) throws Exception {
    double gib = Double.parseDouble(option(args, "--gib", "1"));
    FileTrees.empty(dir);
    Files.createDirectories(dir);
    try (Sandbox sandbox = Sandbox.start(new Sandbox.Options(dir, dir.resolve("hosts"), true, 1, 3, 0));
         KubernetesClient client = sandbox.client()) {
      String version = Sandbox.supportedEtcdVersion(sandbox.binaries());
      client.resource(new NamespaceBuilder().withNewMetadata().withName(NS).withLabels(Sandbox.RESTRICTED).endMetadata()
          .build()).create();
      EtcdCluster big = Bench.cluster(NS, "big", 3, version, false);
      big.getSpec().setStorage(new StorageSpec());
      big.getSpec().getStorage().setSize((int) Math.ceil(gib * 4) + "Gi");
      client.resource(big).create();
      EtcdCluster small = Bench.cluster(NS, "small", 3, version, false);
      small.getSpec().setStorage(new StorageSpec());
      small.getSpec().getStorage().setSize("1Gi");
      small.getSpec().setEtcd(new EtcdOptions());
      small.getSpec().getEtcd().setQuotaBackendBytes(64L << 20);
      client.resource(small).create();
      Bench.awaitReady(client, NS, "big", Duration.ofMinutes(5));
      Bench.awaitReady(client, NS, "small", Duration.ofMinutes(5));

      List<String> urls = List.of(0, 1, 2).stream().map(i -> "http://big-" + i + ".big-peer." + NS
          + ".svc.cluster.local:2379").toList();
      long written = SnapshotBench.fill(urls.get(0), (long) (gib * (1L << 30)));
      System.out.printf("maintenance: etcd %s, 3 members, database %.2f GiB written, default defragmentation rule%n",
          version, written / (double) (1L << 30));

      try (Client c = Client.builder().endpoints(urls.toArray(String[]::new)).build(); Load load = new Load(urls)) {
        Thread.sleep(30_000); // the "before" window: writes under an unfragmented database
        load.phase.set(2); // neither before nor during: the deletions and the compaction
        long termBefore = term(c, urls);
        // Every other key goes, then the history: half the file is free, which the rule sees.
        long keys = c.getKVClient().get(bytes("/bench/"), io.etcd.jetcd.options.GetOption.builder().isPrefix(true)
            .withCountOnly(true).build()).get(60, TimeUnit.SECONDS).getCount();
        for (long i = 0; i < keys; i += 2) c.getKVClient().delete(bytes("/bench/" + i)).get(30, TimeUnit.SECONDS);
        long revision = c.getKVClient().get(bytes("x")).get(10, TimeUnit.SECONDS).getHeader().getRevision();
        Instant compacted = Instant.now();
        c.getKVClient().compact(revision, CompactOption.builder().withCompactPhysical(true).build()).get(10, TimeUnit.MINUTES);
        load.phase.set(1); // the sweep: from the compaction until the three defragmentations are done
        Bench.awaitTrue("three defragmentations", Duration.ofMinutes(20), () -> defragmentedSince(client, compacted) == 3);
        load.phase.set(2);
        long termAfter = term(c, urls);
        MaintenanceStatus m = client.resources(EtcdCluster.class).inNamespace(NS).withName("big").get().getStatus()
            .getMaintenance();
        System.out.printf("%n| member | defragmentation | reclaimed |%n|---|---|---|%n");
        for (MemberMaintenance x : m.getMembers()) {
          System.out.printf("| %s | %.1f s | %.0f MiB (%.0f → %.0f MiB) |%n", x.getName(), x.getDurationMillis() / 1000.0,
              (x.getBytesBefore() - x.getBytesAfter()) / 1048576.0, x.getBytesBefore() / 1048576.0,
              x.getBytesAfter() / 1048576.0);
        }
        System.out.printf("%n| | before the sweep | during the sweep |%n|---|---|---|%n");
        System.out.printf("| write latency p50 | %.1f ms | %.1f ms |%n", load.percentile(0, 50), load.percentile(1, 50));
        System.out.printf("| write latency p99 | %.1f ms | %.1f ms |%n", load.percentile(0, 99), load.percentile(1, 99));
        System.out.printf("| writes (failed) | %d (%d) | %d (%d) |%n", load.count(0), load.failed[0].get(), load.count(1),
            load.failed[1].get());
        System.out.printf("| leader changes | | %d |%n", termAfter - termBefore);
      }

      // NOSPACE: overwrite a few keys with 256 KiB until the 64 MiB quota is reached, then wait for writes to work.
      List<String> smallUrls = List.of(0, 1, 2).stream().map(i -> "http://small-" + i + ".small-peer." + NS
          + ".svc.cluster.local:2379").toList();
      try (Client c = Client.builder().endpoints(smallUrls.toArray(String[]::new)).build()) {
        ByteSequence value = ByteSequence.from(new byte[256 * 1024]);
        Instant full = null;
        for (int i = 0; full == null; i++) {
          try {
            c.getKVClient().put(bytes("/churn/" + (i % 4)), value).get(10, TimeUnit.SECONDS);
          } catch (Exception e) {
            if (String.valueOf(e.getMessage()).contains("database space exceeded")) full = Instant.now();
          }
        }
        Instant writable = null;
        while (writable == null) {
          try {
            c.getKVClient().put(bytes("/after"), bytes("ok")).get(5, TimeUnit.SECONDS);
            writable = Instant.now();
          } catch (Exception e) {
            Thread.sleep(200);
          }
          if (Duration.between(full, Instant.now()).toMinutes() > 15) throw new IllegalStateException("no recovery");
        }
        System.out.printf("%nNOSPACE (64 MiB quota) → writable again, no human step: %.1f s%n",
            Duration.between(full, writable).toMillis() / 1000.0);
      }
    }
    return 0;
  }

  private static long defragmentedSince(KubernetesClient client, Instant since) {
    EtcdCluster c = client.resources(EtcdCluster.class).inNamespace(NS).withName("big").get();
    MaintenanceStatus m = c.getStatus() == null ? null : c.getStatus().getMaintenance();
    if (m == null) return 0;
    return m.getMembers().stream().filter(x -> x.getLastDefragTime() != null
        && !Instant.parse(x.getLastDefragTime()).isBefore(since.truncatedTo(java.time.temporal.ChronoUnit.SECONDS))).count();
  }

  private static long term(Client c, List<String> urls) throws Exception {
    long term = 0;
    for (String url : urls) term = Math.max(term, c.getMaintenanceClient().statusMember(url).get(10, TimeUnit.SECONDS).getRaftTerm());
    return term;
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  /** Small writes, one after another, each timed, by phase (0 before the sweep, 1 during, 2 neither). */
  private static final class Load implements AutoCloseable {
    final AtomicInteger phase = new AtomicInteger();
    final List<List<Long>> nanos = List.of(Collections.synchronizedList(new ArrayList<>()),
        Collections.synchronizedList(new ArrayList<>()), Collections.synchronizedList(new ArrayList<>()));
    final AtomicInteger[] failed = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Load(List<String> urls) {
      thread = new Thread(() -> {
        try (Client c = Client.builder().endpoints(urls.toArray(String[]::new)).build()) {
          for (int i = 0; running.get(); i++) {
            int p = phase.get();
            long t0 = System.nanoTime();
            try {
              c.getKVClient().put(bytes("/load/" + (i % 1000)), bytes("v" + i)).get(10, TimeUnit.SECONDS);
              nanos.get(p).add(System.nanoTime() - t0);
            } catch (Exception e) {
              failed[p].incrementAndGet();
            }
            Thread.sleep(20);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "maintenance-load");
      thread.setDaemon(true);
      thread.start();
    }

    int count(int p) {
      return nanos.get(p).size();
    }

    double percentile(int p, int pct) {
      List<Long> sorted;
      synchronized (nanos.get(p)) {
        sorted = nanos.get(p).stream().sorted().toList();
      }
      if (sorted.isEmpty()) return Double.NaN;
      return sorted.get(Math.min(sorted.size() - 1, sorted.size() * pct / 100)) / 1e6;
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(15_000);
    }
  }

  private static String option(List<String> args, String name, String fallback) {
    int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : fallback;
  }
}
