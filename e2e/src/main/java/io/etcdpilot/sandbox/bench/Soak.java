package io.etcdpilot.sandbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdpilot.operator.api.v1alpha1.DefragPolicy;
import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdOptions;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshotSpec;
import io.etcdpilot.operator.api.v1alpha1.FromSnapshot;
import io.etcdpilot.operator.api.v1alpha1.MaintenanceSpec;
import io.etcdpilot.operator.api.v1alpha1.MemberStatus;
import io.etcdpilot.operator.api.v1alpha1.SnapshotDestination;
import io.etcdpilot.operator.api.v1alpha1.SnapshotsSpec;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.EtcdVersion;
import io.etcdpilot.operator.status.Conditions;
import io.etcdpilot.sandbox.ClusterEdits;
import io.etcdpilot.sandbox.Etcdctl;
import io.etcdpilot.sandbox.Faults;
import io.etcdpilot.sandbox.FileTrees;
import io.etcdpilot.sandbox.Sandbox;
import io.etcdpilot.sandbox.controlplane.KubeBinaries;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code bin/soak}: a TLS cluster with snapshots to the sandbox's S3 store, taken through faults (crash, freeze,
 * partition, slow disk, wipe, corruption, leader kill, operator restart, node drain) and operations (scale out and
 * in, upgrade and downgrade, snapshot, restore into a new cluster, certificate renewal, defragmentation) drawn from a
 * seeded stream ({@link SoakPlan}), one step at a time. Each step runs under its own history checker workload: the
 * step is taken (and undone, for faults that are), the cluster is awaited settled (Ready, every member a voter and
 * ready, no operation, the wanted version), then the checker's verdict is read. A step that fails keeps its history,
 * the sandbox's logs and the members' data under {@code failed/step-N-ACTION/}, and the soak stops there. Prints a
 * table; exits 1 when a step failed.
 */
public final class Soak {
  private static final String NS = "soak";
  private static final String CLUSTER = "etcd";
  private static final Duration SETTLE = Duration.ofMinutes(8);
  /** How long the cluster must stay settled after a step. */
  private static final Duration STABLE = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Sandbox sandbox;
  private final KubernetesClient client;
  private final Path dir;
  private final long seed;
  private final String lower;
  private final String upper;
  private final Path checker;
  private String lastSnapshot;

  private Soak(Sandbox sandbox, KubernetesClient client, Path dir, long seed, String lower, String upper, Path checker) {
    this.sandbox = sandbox;
    this.client = client;
    this.dir = dir;
    this.seed = seed;
    this.lower = lower;
    this.upper = upper;
    this.checker = checker;
  }

  /** One row of the table. */
  record Row(SoakPlan.Step step, String detail, long secondsToReady, String verdict, int lostWrites, boolean ok) {}

  public static int run(Path dir, List<String> args) throws Exception {
    long minutes = Long.parseLong(option(args, "--minutes", "30"));
    long seed = Long.parseLong(option(args, "--seed", Long.toString(System.nanoTime() % 100_000)));
    FileTrees.empty(dir);
    Files.createDirectories(dir);
    try (Sandbox sandbox = Sandbox.start(new Sandbox.Options(dir, dir.resolve("hosts"), true, 1, 6, 0));
         KubernetesClient client = sandbox.client()) {
      String lower = Sandbox.supportedEtcdVersion(sandbox.binaries());
      EtcdVersion low = EtcdVersion.parse(lower);
      String upper = sandbox.binaries().available().stream().map(EtcdVersion::parse)
          .filter(v -> v.major() == low.major() && v.minor() == low.minor() + 1).max(Comparator.naturalOrder())
          .map(EtcdVersion::toString).orElse(null);
      Soak soak = new Soak(sandbox, client, dir, seed, lower, upper, KubeBinaries.locate().histcheck());
      soak.create();
      System.out.printf("soak: seed %d, %d minutes, etcd %s (upgrades to %s), 3 members with TLS; replay with"
          + " bin/soak --minutes %d --seed %d%n", seed, minutes, lower, upper, minutes, seed);
      return soak.steps(Instant.now().plus(Duration.ofMinutes(minutes)));
    }
  }

  private void create() throws Exception {
    client.resource(new NamespaceBuilder().withNewMetadata().withName(NS).withLabels(Sandbox.RESTRICTED).endMetadata()
        .build()).create();
    sandbox.objectStore().secret(client, NS);
    EtcdCluster c = Bench.cluster(NS, CLUSTER, 3, lower, true);
    // A raft snapshot on disk early, so that a restarted member's data is compared with its peers' (corruption).
    c.getSpec().setEtcd(new EtcdOptions());
    c.getSpec().getEtcd().setSnapshotCount(100L);
    SnapshotsSpec snapshots = new SnapshotsSpec();
    SnapshotDestination destination = new SnapshotDestination();
    destination.setS3(sandbox.objectStore().destination());
    snapshots.setDestination(destination);
    c.getSpec().setSnapshots(snapshots);
    client.resource(c).create();
    Bench.awaitReady(client, NS, CLUSTER, Duration.ofMinutes(5));
    // The value corruption flips, in every member's file (and in every copy a replacement receives).
    List<String> put = Etcdctl.command(dir.resolve("hosts"), sandbox.binaries(), lower,
        Etcdctl.endpoints(client, NS, CLUSTER), Etcdctl.clientFiles(client, NS, CLUSTER, dir.resolve("client")),
        List.of("put", "/soak-canary", Faults.CORRUPT_MARKER));
    Process p = new ProcessBuilder(put).inheritIO().start();
    if (p.waitFor() != 0) throw new IllegalStateException("etcdctl put failed");
  }

  private int steps(Instant end) throws Exception {
    SoakPlan plan = new SoakPlan(seed);
    List<Row> rows = new ArrayList<>();
    boolean ok = true;
    while (ok && Instant.now().isBefore(end)) {
      SoakPlan.Step step = plan.next();
      Row row = step(step, plan.replicas());
      rows.add(row);
      System.out.printf("%3d  %-14s %-40s %6ds  %-40s %d%n", step.index(), step.action().label(), row.detail(),
          row.secondsToReady(), row.verdict(), row.lostWrites());
      ok = row.ok();
    }
    print(rows);
    return ok ? 0 : 1;
  }

  private Row step(SoakPlan.Step step, int replicasAfter) throws Exception {
    int replicasBefore = cluster().getSpec().getReplicas();
    String member = new ClusterNames(CLUSTER, NS, Sandbox.CLUSTER_DOMAIN).member(step.member() % replicasBefore);
    Path stepDir = dir.resolve("steps").resolve(String.format("%03d-%s", step.index(), step.action().label()));
    Files.createDirectories(stepDir);
    Process check = startChecker(stepDir, replicasBefore, step.index());
    String detail;
    long readyAfter = -1;
    String failure = null;
    try {
      detail = act(step, member, replicasAfter);
      Instant acted = Instant.now();
      readyAfter = Math.max(0, Duration.between(acted, settle(replicasAfter)).toSeconds());
    } catch (Exception e) {
      detail = step.action().label() + " " + member;
      failure = e.getMessage();
    }
    Verdict v = stopChecker(check, stepDir);
    boolean ok = failure == null && v.ok();
    String verdict = failure != null ? "not settled: " + failure : v.summary();
    if (!ok) keep(step, stepDir);
    return new Row(step, detail, readyAfter, verdict.length() > 60 ? verdict.substring(0, 60) : verdict, v.lostWrites(),
        ok);
  }

  /** Takes the step (and undoes it, for faults that last a while); returns what was done, in words. */
  private String act(SoakPlan.Step step, String member, int replicasAfter) throws Exception {
    int hold = step.holdSeconds();
    switch (step.action()) {
      case crash -> Faults.inject(dir, client, NS, member, Faults.Fault.crash);
      case freeze -> {
        Faults.inject(dir, client, NS, member, Faults.Fault.freeze);
        Thread.sleep(hold * 1000L);
        Faults.inject(dir, client, NS, member, Faults.Fault.thaw);
        return "freeze " + member + " " + hold + "s";
      }
      case partition -> {
        Faults.inject(dir, client, NS, member, Faults.Fault.partition);
        Thread.sleep(hold * 1000L);
        Faults.inject(dir, client, NS, member, Faults.Fault.heal);
        return "partition " + member + " " + hold + "s";
      }
      case slow_disk -> {
        Faults.inject(dir, client, NS, member, Faults.Fault.slow_disk, "200ms");
        Thread.sleep(hold * 1000L);
        Faults.inject(dir, client, NS, member, Faults.Fault.fast_disk);
        return "slow-disk 200ms " + member + " " + hold + "s";
      }
      case wipe -> Faults.inject(dir, client, NS, member, Faults.Fault.wipe_data);
      case corrupt -> {
        // The value reaches the member's file within its backend's commit interval; until then nothing is found.
        Instant until = Instant.now().plusSeconds(30);
        while (true) {
          try {
            Faults.inject(dir, client, NS, member, Faults.Fault.corrupt);
            break;
          } catch (IllegalStateException e) {
            if (Instant.now().isAfter(until)) throw e;
            Thread.sleep(1000);
          }
        }
      }
      case leader_kill -> {
        String leader = cluster().getStatus().getLeader();
        Faults.inject(dir, client, NS, leader, Faults.Fault.crash);
        return "leader-kill " + leader;
      }
      case operator_kill -> {
        sandbox.restartOperator(java.util.Map.of());
        return "operator restarted";
      }
      case node_drain -> {
        String node = client.pods().inNamespace(NS).withName(member).get().getSpec().getNodeName();
        client.nodes().withName(node).edit(n -> { n.getSpec().setUnschedulable(true); return n; });
        try {
          client.pods().inNamespace(NS).withName(member).evict();
          Thread.sleep(hold * 1000L);
        } finally {
          client.nodes().withName(node).edit(n -> { n.getSpec().setUnschedulable(false); return n; });
        }
        return "drain " + node + " (" + member + ") " + hold + "s";
      }
      case scale_out, scale_in -> {
        edit(c -> c.getSpec().setReplicas(replicasAfter));
        return step.action().label() + " to " + replicasAfter;
      }
      case upgrade, downgrade -> {
        if (upper == null) return step.action().label() + ": no newer minor version built; skipped";
        String to = step.action() == SoakPlan.Action.upgrade ? upper : lower;
        edit(c -> c.getSpec().setVersion(to));
        return step.action().label() + " to " + to;
      }
      case snapshot -> {
        String name = "soak-" + step.index();
        EtcdSnapshot s = new EtcdSnapshot();
        s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        s.setSpec(new EtcdSnapshotSpec());
        s.getSpec().setClusterName(CLUSTER);
        client.resource(s).create();
        Bench.awaitTrue("snapshot " + name, Duration.ofMinutes(3), () -> phase(name).equals("Succeeded")
            || phase(name).equals("Failed"));
        if (phase(name).equals("Failed")) throw new IllegalStateException("snapshot " + name + " failed");
        lastSnapshot = name;
        return "snapshot " + name;
      }
      case restore -> {
        String name = "restored-" + step.index();
        EtcdCluster r = Bench.cluster(NS, name, 1, cluster().getSpec().getVersion(), true);
        r.getSpec().setBootstrap(new io.etcdpilot.operator.api.v1alpha1.BootstrapSpec());
        FromSnapshot from = new FromSnapshot();
        from.setSnapshotName(lastSnapshot);
        r.getSpec().getBootstrap().setFromSnapshot(from);
        client.resource(r).create();
        try {
          Bench.awaitReady(client, NS, name, Duration.ofMinutes(5));
        } finally {
          client.resource(r).delete();
        }
        return "restore " + lastSnapshot + " into " + name;
      }
      case cert_renewal -> {
        // A member's certificates gone from its Secret: the operator issues new ones; etcd reads them on new
        // connections, without a restart.
        String secret = CLUSTER + "-member-tls";
        client.secrets().inNamespace(NS).withName(secret).edit(s -> {
          for (String kind : List.of("server", "peer")) {
            s.getData().remove(member + "-" + kind + ".crt");
            s.getData().remove(member + "-" + kind + ".key");
          }
          return s;
        });
        Bench.awaitTrue("renewed certificates of " + member, Duration.ofMinutes(1), () -> client.secrets().inNamespace(NS)
            .withName(secret).get().getData().containsKey(member + "-peer.crt"));
        return "cert-renewal " + member;
      }
      case defrag -> {
        long before = events("Defragmented");
        edit(c -> {
          c.getSpec().setMaintenance(new MaintenanceSpec());
          c.getSpec().getMaintenance().setDefrag(new DefragPolicy());
          c.getSpec().getMaintenance().getDefrag().setRule("dbSize > 0");
        });
        try {
          Bench.awaitTrue("a defragmentation", Duration.ofMinutes(3), () -> events("Defragmented") > before);
        } finally {
          edit(c -> c.getSpec().setMaintenance(null));
        }
        return "defrag (" + (events("Defragmented") - before) + " members)";
      }
    }
    return step.action().label() + " " + member;
  }

  /**
   * Ready, every member a ready voter and its pod ready, no operation under way, and the version asked for, for
   * {@link #STABLE} on end (a status written before the operator noticed the step would pass at once); returns when
   * that began.
   */
  private Instant settle(int replicas) throws InterruptedException {
    Instant deadline = Instant.now().plus(SETTLE);
    Instant since = null;
    while (true) {
      Instant now = Instant.now();
      if (settled(replicas)) {
        if (since == null) since = now;
        if (!now.isBefore(since.plus(STABLE))) return since;
      } else {
        since = null;
      }
      if (now.isAfter(deadline)) throw new IllegalStateException("not settled within " + SETTLE.toMinutes() + " min");
      Thread.sleep(250);
    }
  }

  private boolean settled(int replicas) {
    EtcdCluster c = cluster();
    if (c == null || c.getStatus() == null) return false;
    var s = c.getStatus();
    List<Pod> pods = client.pods().inNamespace(NS).withLabel(ClusterNames.LABEL_CLUSTER, CLUSTER).list().getItems()
        .stream().filter(p -> p.getMetadata().getName().matches(CLUSTER + "-[0-9]+")).toList();
    return Conditions.isTrue(s.getConditions(), Conditions.READY) && s.getOperation() == null
        && s.getMembers() != null && s.getMembers().size() == replicas
        && s.getMembers().stream().noneMatch(m -> m.getRole() == MemberStatus.Role.learner)
        && s.getReadyReplicas() != null && s.getReadyReplicas() == replicas
        && c.getSpec().getVersion().equals(s.getVersion())
        && pods.size() == replicas && pods.stream().allMatch(p -> p.getStatus() != null
            && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
            .anyMatch(x -> "Ready".equals(x.getType()) && "True".equals(x.getStatus())));
  }

  private Process startChecker(Path stepDir, int replicas, int index) throws IOException {
    ClusterNames names = new ClusterNames(CLUSTER, NS, Sandbox.CLUSTER_DOMAIN);
    var files = Etcdctl.clientFiles(client, NS, CLUSTER, dir.resolve("client"));
    List<String> endpoints = Stream.iterate(0, i -> i + 1).limit(replicas).map(i -> "https://" + names.member(i) + "."
        + names.peerService() + "." + NS + ".svc." + Sandbox.CLUSTER_DOMAIN + ":2379").toList();
    return new ProcessBuilder(checker.toString(), "-endpoints", String.join(",", endpoints),
        "-cacert", files.ca().toString(), "-cert", files.cert().toString(), "-key", files.key().toString(),
        "-hosts", dir.resolve("hosts").toString(), "-prefix", "/soak-" + seed + "/" + index + "/",
        "-history", stepDir.resolve("history.json").toString(), "-check-timeout", "5m")
        .redirectOutput(stepDir.resolve("verdict.json").toFile()).redirectError(stepDir.resolve("histcheck.log").toFile())
        .start();
  }

  record Verdict(boolean ok, String summary, int lostWrites) {}

  private static Verdict stopChecker(Process check, Path stepDir) throws Exception {
    check.getOutputStream().close();
    if (!check.waitFor(10, TimeUnit.MINUTES)) {
      check.destroyForcibly();
      return new Verdict(false, "the checker did not finish", 0);
    }
    String line = Files.readString(stepDir.resolve("verdict.json")).strip();
    if (line.isEmpty()) return new Verdict(false, "the checker said nothing (see histcheck.log)", 0);
    JsonNode v = JSON.readTree(line);
    int lost = 0;
    for (JsonNode p : v.path("problems")) {
      if (p.asText().contains("is not there") || p.asText().contains("still there")) lost++;
    }
    String summary = "linearizable=" + v.path("linearizable").asText() + " watch=" + v.path("watchOk").asBoolean()
        + " monotonic=" + v.path("revisionsMonotonic").asBoolean() + " kept=" + v.path("acknowledgedKept").asBoolean()
        + " ops=" + v.path("operations").asInt();
    return new Verdict(check.exitValue() == 0, summary, lost);
  }

  /** The failing step's history, the sandbox's logs and the members' data, for a replay with the same seed. */
  private void keep(SoakPlan.Step step, Path stepDir) throws IOException {
    Path failed = dir.resolve("failed").resolve("step-" + step.index() + "-" + step.action().label());
    copy(stepDir, failed.resolve("checker"));
    copy(dir.resolve("logs"), failed.resolve("logs"));
    copy(dir.resolve("volumes"), failed.resolve("volumes"));
    System.out.println("kept in " + failed);
  }

  private static void copy(Path from, Path to) throws IOException {
    if (!Files.isDirectory(from)) return;
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (Files.isRegularFile(p)) {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private void print(List<Row> rows) {
    System.out.printf("%n| step | fault / operation | what | s to Ready | checker | lost writes |%n");
    System.out.printf("|---:|---|---|---:|---|---:|%n");
    for (Row r : rows) {
      System.out.printf("| %d | %s | %s | %d | %s | %d |%n", r.step().index(), r.step().action().label(), r.detail(),
          r.secondsToReady(), r.ok() ? "ok" : "FAILED: " + r.verdict(), r.lostWrites());
    }
    long faults = rows.stream().filter(r -> r.step().action().fault).count();
    System.out.printf("%nsteps %d (faults %d, operations %d), failed %d; seed %d%n", rows.size(), faults,
        rows.size() - faults, rows.stream().filter(r -> !r.ok()).count(), seed);
  }

  private EtcdCluster cluster() {
    return client.resources(EtcdCluster.class).inNamespace(NS).withName(CLUSTER).get();
  }

  private void edit(java.util.function.Consumer<EtcdCluster> change) throws InterruptedException {
    ClusterEdits.edit(client, NS, CLUSTER, change);
  }

  private String phase(String snapshot) {
    EtcdSnapshot s = client.resources(EtcdSnapshot.class).inNamespace(NS).withName(snapshot).get();
    return s == null || s.getStatus() == null || s.getStatus().getPhase() == null ? "Pending" : s.getStatus().getPhase();
  }

  private long events(String reason) {
    return client.v1().events().inNamespace(NS).list().getItems().stream().filter(e -> reason.equals(e.getReason()))
        .mapToLong(e -> e.getCount() == null ? 1 : e.getCount()).sum();
  }

  private static String option(List<String> args, String name, String fallback) {
    int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : fallback;
  }
}
