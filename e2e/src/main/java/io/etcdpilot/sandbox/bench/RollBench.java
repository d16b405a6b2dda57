package io.etcdpilot.sandbox.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.TlsWiring;
import io.etcdpilot.sandbox.Sandbox;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * A version roll under write load, as {@code bin/bench} reports it: leader changes (raft term), failed writes, the
 * longest gap between acknowledged writes, and the roll's duration against its floor, the sum of the members' own
 * restart times (old pod deleted → new pod ready), which no one-member-at-a-time roll can beat.
 */
final class RollBench {
  private RollBench() {}

  static void run(KubernetesClient client, String from, String to, List<Integer> sizes) throws Exception {
    System.out.printf("%nroll %s -> %s under writes (plain HTTP, one writer, 10 ms between writes)%n", from, to);
    for (int size : sizes) {
      String ns = "bench-roll-" + size;
      client.resource(new NamespaceBuilder().withNewMetadata().withName(ns).withLabels(Sandbox.RESTRICTED).endMetadata()
          .build()).create();
      client.resource(Bench.cluster(ns, "roll", size, from, false)).create();
      Bench.awaitReady(client, ns, "roll", Duration.ofMinutes(5));
      ClusterNames names = new ClusterNames("roll", ns, Sandbox.CLUSTER_DOMAIN);
      TlsWiring plain = TlsWiring.of(client.resources(EtcdCluster.class).inNamespace(ns).withName("roll").get().getSpec());
      String[] urls = IntStream.range(0, size).mapToObj(i -> names.clientUrl(names.member(i), plain)).toArray(String[]::new);
      try (Client etcd = Client.builder().endpoints(urls).build()) {
        long termBefore = term(etcd, urls);
        Writer writer = new Writer(etcd);
        Thread thread = new Thread(writer, "bench-writer");
        thread.start();
        Thread.sleep(2000);
        Map<String, Long> deleted = new HashMap<>();
        Map<String, Long> readyAgain = new HashMap<>();
        Map<String, String> uids = uids(client, ns);
        Instant started = Instant.now();
        client.resources(EtcdCluster.class).inNamespace(ns).withName("roll").edit(ec -> {
          ec.getSpec().setVersion(to);
          return ec;
        });
        Instant deadline = started.plus(Duration.ofMinutes(10));
        while (!rolled(client, ns, to)) {
          if (Instant.now().isAfter(deadline)) throw new IllegalStateException("roll of " + ns + " did not finish");
          long now = System.nanoTime();
          for (Pod p : client.pods().inNamespace(ns).list().getItems()) {
            String name = p.getMetadata().getName();
            boolean old = p.getMetadata().getUid().equals(uids.get(name));
            if (old && p.getMetadata().getDeletionTimestamp() != null) deleted.putIfAbsent(name, now);
            if (!old) {
              deleted.putIfAbsent(name, now); // deleted between two looks
              if (ready(p)) readyAgain.putIfAbsent(name, now);
            }
          }
          Thread.sleep(50);
        }
        Duration roll = Duration.between(started, Instant.now());
        writer.running.set(false);
        thread.join(10_000);
        long floor = readyAgain.entrySet().stream().mapToLong(e -> e.getValue() - deleted.get(e.getKey())).sum();
        // The rollout rules make each restarted member stay up this long before the next one goes.
        long settle = size * io.etcdpilot.operator.rollout.RolloutPlanner.MIN_UPTIME.toNanos();
        System.out.printf("  %d members: leader changes %d, failed writes %d of %d, longest write gap %d ms%n"
                + "    roll %.1f s; floor (sum of restarts) %.1f s, ratio %.2f; floor + %d s settle per member %.1f s,"
                + " ratio %.2f%n", size, term(etcd, urls) - termBefore,
            writer.failed.get(), writer.failed.get() + writer.acked.get(), writer.longestGapNanos / 1_000_000,
            roll.toMillis() / 1000.0, floor / 1e9, roll.toNanos() / (double) floor,
            io.etcdpilot.operator.rollout.RolloutPlanner.MIN_UPTIME.toSeconds(), (floor + settle) / 1e9,
            roll.toNanos() / (double) (floor + settle));
      }
      client.namespaces().withName(ns).delete();
    }
  }

  private static boolean ready(Pod p) {
    return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static Map<String, String> uids(KubernetesClient client, String ns) {
    Map<String, String> out = new HashMap<>();
    client.pods().inNamespace(ns).list().getItems().forEach(p -> out.put(p.getMetadata().getName(), p.getMetadata().getUid()));
    return out;
  }

  private static boolean rolled(KubernetesClient client, String ns, String to) {
    EtcdCluster ec = client.resources(EtcdCluster.class).inNamespace(ns).withName("roll").get();
    return ec.getStatus() != null && to.equals(ec.getStatus().getVersion()) && ec.getStatus().getOperation() == null;
  }

  private static long term(Client etcd, String[] urls) throws Exception {
    long max = 0;
    for (String url : urls) {
      max = Math.max(max, etcd.getMaintenanceClient().statusMember(url).get(10, TimeUnit.SECONDS).getRaftTerm());
    }
    return max;
  }

  /** Writes one key after another; counts acknowledged and failed writes and the longest time between two acks. */
  private static final class Writer implements Runnable {
    final Client etcd;
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger acked = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    volatile long longestGapNanos;

    Writer(Client etcd) {
      this.etcd = etcd;
    }

    @Override
    public void run() {
      long last = System.nanoTime();
      for (int i = 0; running.get(); i++) {
        try {
          etcd.getKVClient().put(bytes("/bench/" + i), bytes("v" + i)).get(5, TimeUnit.SECONDS);
          long now = System.nanoTime();
          longestGapNanos = Math.max(longestGapNanos, now - last);
          last = now;
          acked.incrementAndGet();
        } catch (Exception e) {
          failed.incrementAndGet();
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private static ByteSequence bytes(String s) {
      return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
  }
}
