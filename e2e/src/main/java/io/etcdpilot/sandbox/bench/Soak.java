package io.etcdpilot.sandbox.bench;

import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.sandbox.Etcdctl;
import io.etcdpilot.sandbox.Faults;
import io.etcdpilot.sandbox.FileTrees;
import io.etcdpilot.sandbox.Sandbox;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/soak}: a 3-member TLS cluster under the history checker's workload for N minutes while faults come one
 * after another on random members (a partition healed after a while, a crash, a freeze thawed, a slow disk made fast
 * again, a leader cut off), the operator handling them; then the checker's verdict (linearizable, watches in order
 * without gaps, no revision going back, every acknowledged write kept) and the members' hashes. Prints what happened;
 * exits 1 when the verdict found a problem.
 */
public final class Soak {
  private static final String NS = "soak";

  private Soak() {}

  public static int run(Path dir, List<String> args) throws Exception {
    long minutes = Long.parseLong(option(args, "--minutes", "30"));
    long seed = Long.parseLong(option(args, "--seed", Long.toString(System.nanoTime())));
    Random random = new Random(seed);
    FileTrees.empty(dir);
    Files.createDirectories(dir);
    try (Sandbox sandbox = Sandbox.start(new Sandbox.Options(dir, dir.resolve("hosts"), true, 1, 3, 0));
         KubernetesClient client = sandbox.client()) {
      String version = Sandbox.supportedEtcdVersion(sandbox.binaries());
      client.resource(new NamespaceBuilder().withNewMetadata().withName(NS).withLabels(Sandbox.RESTRICTED).endMetadata()
          .build()).create();
      client.resource(Bench.cluster(NS, "etcd", 3, version, true)).create();
      Bench.awaitReady(client, NS, "etcd", Duration.ofMinutes(5));
      ClusterNames names = new ClusterNames("etcd", NS, Sandbox.CLUSTER_DOMAIN);
      var files = Etcdctl.clientFiles(client, NS, "etcd", dir.resolve("client"));
      List<String> endpoints = List.of(0, 1, 2).stream().map(i -> "https://" + names.member(i) + "." + names.peerService()
          + "." + NS + ".svc." + Sandbox.CLUSTER_DOMAIN + ":2379").toList();
      Path checker = histcheck(sandbox);
      Process check = new ProcessBuilder(checker.toString(), "-endpoints", String.join(",", endpoints),
          "-cacert", files.ca().toString(), "-cert", files.cert().toString(), "-key", files.key().toString(),
          "-hosts", dir.resolve("hosts").toString(), "-prefix", "/soak-" + seed + "/",
          "-history", dir.resolve("history.json").toString(), "-check-timeout", "10m")
          .redirectOutput(dir.resolve("verdict.json").toFile()).redirectError(dir.resolve("histcheck.log").toFile())
          .start();
      System.out.printf("soak: etcd %s, 3 members with TLS, %d minutes, seed %d%n", version, minutes, seed);
      Map<String, Integer> injected = new TreeMap<>();
      Instant end = Instant.now().plus(Duration.ofMinutes(minutes));
      while (Instant.now().isBefore(end)) {
        Thread.sleep(Duration.ofSeconds(20 + random.nextInt(40)).toMillis()); // the cluster settles between faults
        String pod = names.member(random.nextInt(3));
        String fault = List.of("partition", "crash", "freeze", "slow-disk", "isolate").get(random.nextInt(5));
        injected.merge(fault, 1, Integer::sum);
        System.out.printf("%s %s %s%n", Instant.now(), fault, pod);
        switch (fault) {
          case "partition", "isolate" -> {
            Faults.inject(dir, client, NS, pod, Faults.parse(fault));
            Thread.sleep(Duration.ofSeconds(10 + random.nextInt(30)).toMillis());
            Faults.inject(dir, client, NS, pod, Faults.Fault.heal);
          }
          case "freeze" -> {
            Faults.inject(dir, client, NS, pod, Faults.Fault.freeze);
            Thread.sleep(Duration.ofSeconds(5 + random.nextInt(15)).toMillis());
            Faults.inject(dir, client, NS, pod, Faults.Fault.thaw);
          }
          case "slow-disk" -> {
            Faults.inject(dir, client, NS, pod, Faults.Fault.slow_disk, (50 + random.nextInt(250)) + "ms");
            Thread.sleep(Duration.ofSeconds(20 + random.nextInt(40)).toMillis());
            Faults.inject(dir, client, NS, pod, Faults.Fault.fast_disk);
          }
          default -> Faults.inject(dir, client, NS, pod, Faults.Fault.crash);
        }
      }
      Bench.awaitReady(client, NS, "etcd", Duration.ofMinutes(5));
      check.getOutputStream().close();
      if (!check.waitFor(15, TimeUnit.MINUTES)) {
        check.destroyForcibly();
        throw new IllegalStateException("the history checker did not finish");
      }
      String verdict = Files.readString(dir.resolve("verdict.json")).strip();
      System.out.printf("%nfaults injected: %s%nverdict: %s%n", injected, verdict);
      return check.exitValue() == 0 ? 0 : 1;
    }
  }

  private static Path histcheck(Sandbox sandbox) throws Exception {
    Path build = sandbox.binaries().repository().resolve("e2e/kube/build");
    Process b = new ProcessBuilder(build.toString(), "histcheck").inheritIO().start();
    if (b.waitFor() != 0) throw new IllegalStateException("building the history checker failed");
    Process d = new ProcessBuilder(build.toString(), "dir", "histcheck").start();
    String out = new String(d.getInputStream().readAllBytes()).trim();
    d.waitFor();
    return Path.of(out, "histcheck");
  }

  private static String option(List<String> args, String name, String fallback) {
    int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : fallback;
  }
}
