package io.etcdpilot.sandbox.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcdpilot.operator.api.v1alpha1.S3Destination;
import io.etcdpilot.operator.snapshot.ObjectStore;
import io.etcdpilot.operator.snapshot.SnapshotManifest;
import io.etcdpilot.operator.snapshot.SnapshotReader;
import io.etcdpilot.operator.snapshot.SnapshotStreamer;
import io.etcdpilot.sandbox.FileTrees;
import io.etcdpilot.sandbox.kubelet.EtcdBinaries;
import io.etcdpilot.sandbox.storage.ObjectStoreServer;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/bench-snapshots}: a database of at least 1 GiB in a real etcd, snapshotted by the operator's own code into
 * the sandbox's object store (s3proxy) with zstd and with no compression, against {@code etcdctl snapshot save} of
 * the same database to local disk; the operator-side JVM's peak RSS (it runs with -Xmx256m); and the restore path
 * (download, verify, {@code etcdutl snapshot restore}) per GiB. Prints numbers, asserts nothing.
 */
public final class SnapshotBench {
  private static final int CLIENT_PORT = 24890;

  private SnapshotBench() {}

  public static int run(Path dir, List<String> args, EtcdBinaries binaries, String version) throws Exception {
    long gib = Long.parseLong(option(args, "--gib", "1"));
    FileTrees.empty(dir);
    Files.createDirectories(dir);
    Path bin = binaries.binDir(version).orElseThrow();
    Process etcd = new ProcessBuilder(bin.resolve("etcd").toString(), "--name=bench", "--data-dir=" + dir.resolve("etcd"),
        "--listen-client-urls=http://127.0.0.1:" + CLIENT_PORT, "--advertise-client-urls=http://127.0.0.1:" + CLIENT_PORT,
        "--listen-peer-urls=http://127.0.0.1:" + (CLIENT_PORT + 1), "--initial-advertise-peer-urls=http://127.0.0.1:"
        + (CLIENT_PORT + 1), "--initial-cluster=bench=http://127.0.0.1:" + (CLIENT_PORT + 1),
        "--quota-backend-bytes=" + (8L << 30), "--auto-compaction-retention=0")
        .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
    String url = "http://127.0.0.1:" + CLIENT_PORT;
    try (ObjectStoreServer store = ObjectStoreServer.start(dir.resolve("s3"))) {
      long dbSize = fill(url, gib << 30);
      System.out.printf("snapshots: etcd %s, database %.2f GiB (hex text values: compressible about 2:1)%n", version,
          dbSize / (double) (1L << 30));

      Path saved = dir.resolve("etcdctl.db");
      long t0 = System.nanoTime();
      Process save = new ProcessBuilder(bin.resolve("etcdctl").toString(), "--endpoints=" + url, "snapshot", "save",
          saved.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("etcdctl.log").toFile()).start();
      if (save.waitFor() != 0) throw new IllegalStateException("etcdctl snapshot save failed: " + dir.resolve("etcdctl.log"));
      double etcdctl = (System.nanoTime() - t0) / 1e9;
      long size = Files.size(saved);
      System.out.printf("  etcdctl snapshot save to local disk:        %6.1f s  %6.0f MiB/s%n", etcdctl, mib(size) / etcdctl);

      for (String compression : List.of("read-only", "store-only", "zstd", "none")) {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
            "-cp", System.getProperty("java.class.path"), SnapshotBench.class.getName() + "$Child", url, store.endpoint(),
            store.accessKey(), store.secretKey(), compression).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (child.waitFor() != 0) throw new IllegalStateException("snapshot child failed:\n" + out);
        String line = out.lines().filter(l -> l.startsWith("result ")).findFirst().orElseThrow();
        String[] f = line.split(" ");
        double seconds = Double.parseDouble(f[1]);
        long stored = Long.parseLong(f[2]);
        long rss = Long.parseLong(f[3]);
        if (compression.equals("store-only")) {
          System.out.printf("  %.0f MiB written to the object store, no etcd   %6.1f s  %6.0f MiB/s%n", mib(stored), seconds,
              mib(stored) / seconds);
          continue;
        }
        if (compression.equals("read-only")) {
          System.out.printf("  etcd's stream read by the operator's JVM, kept nowhere %6.1f s  %6.0f MiB/s%n", seconds,
              mib(size) / seconds);
          continue;
        }
        System.out.printf("  operator code to the object store, %-5s    %6.1f s  %6.0f MiB/s  (%.2f× etcdctl), stored %4.0f MiB,"
            + " peak RSS %d MiB%n", compression, seconds, mib(size) / seconds, etcdctl / seconds, mib(stored), rss >> 10);
      }

      // Restore: what a member's restore steps do, one after the other.
      S3Destination d = store.destination();
      try (var s3 = ObjectStore.client(d, new ObjectStore.Credentials(store.accessKey(), store.secretKey(), null), null)) {
        long r0 = System.nanoTime();
        SnapshotManifest manifest = SnapshotReader.manifest(s3, ObjectStoreServer.BUCKET, keys("zstd").manifestKey(d));
        Path fetched = dir.resolve("fetched.db");
        try (OutputStream o = Files.newOutputStream(fetched)) {
          SnapshotReader.read(s3, ObjectStoreServer.BUCKET, manifest, null, o);
        }
        double fetch = (System.nanoTime() - r0) / 1e9;
        long r1 = System.nanoTime();
        Process restore = new ProcessBuilder(bin.resolve("etcdutl").toString(), "snapshot", "restore", fetched.toString(),
            "--data-dir=" + dir.resolve("restored"), "--bump-revision=1000000000", "--mark-compacted")
            .redirectErrorStream(true).redirectOutput(dir.resolve("etcdutl.log").toFile()).start();
        if (restore.waitFor() != 0) throw new IllegalStateException("etcdutl restore failed: " + dir.resolve("etcdutl.log"));
        double etcdutl = (System.nanoTime() - r1) / 1e9;
        double perGib = (fetch + etcdutl) / (size / (double) (1L << 30));
        System.out.printf("  restore: fetch + decompress + verify %.1f s, etcdutl snapshot restore %.1f s: %.1f s per GiB%n",
            fetch, etcdutl, perGib);
      }
    } finally {
      etcd.destroy();
      etcd.waitFor(30, TimeUnit.SECONDS);
    }
    return 0;
  }

  private static double mib(long bytes) {
    return bytes / (double) (1 << 20);
  }

  /** Writes 1 MiB values of hex text until the database holds {@code bytes}; returns its size. */
  static long fill(String url, long bytes) throws Exception {
    Random random = new Random(1);
    byte[] raw = new byte[512 * 1024];
    try (Client c = Client.builder().endpoints(url).build()) {
      for (int i = 0; ; i++) {
        random.nextBytes(raw);
        c.getKVClient().put(ByteSequence.from("/bench/" + i, StandardCharsets.UTF_8),
            ByteSequence.from(HexFormat.of().formatHex(raw), StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
        if (i % 64 == 63) {
          long size = c.getMaintenanceClient().statusMember(url).get(10, TimeUnit.SECONDS).getDbSize();
          if (size >= bytes) return size;
        }
      }
    }
  }

  private static String option(List<String> args, String name, String fallback) {
    int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : fallback;
  }

  /** The operator's snapshot code alone in a JVM with a small heap: {@code <etcd url> <store> <key> <secret> <compression>}. */
  public static final class Child {
    public static void main(String[] a) throws Exception {
      java.net.URI member = java.net.URI.create(a[0]);
      S3Destination d = new S3Destination();
      d.setEndpoint(a[1]);
      d.setRegion("us-east-1");
      d.setBucket(ObjectStoreServer.BUCKET);
      d.setPrefix(ObjectStoreServer.PREFIX);
      d.setForcePathStyle(true);
      ManagedChannel channel = NettyChannelBuilder.forAddress(member.getHost(), member.getPort()).usePlaintext().build();
      if (a[4].equals("read-only")) {
        long t0 = System.nanoTime();
        var it = io.etcd.jetcd.api.MaintenanceGrpc.newBlockingStub(channel)
            .snapshot(io.etcd.jetcd.api.SnapshotRequest.getDefaultInstance());
        long n = 0;
        while (it.hasNext()) n += it.next().getBlob().size();
        System.out.println("result " + (System.nanoTime() - t0) / 1e9 + " " + n + " 0");
        channel.shutdownNow();
        return;
      }
      if (a[4].equals("store-only")) {
        try (var s3 = ObjectStore.client(d, new ObjectStore.Credentials(a[2], a[3], null), null)) {
          long t0 = System.nanoTime();
          var out = io.etcdpilot.operator.snapshot.SnapshotStreamer.rawUpload(s3, d.getBucket(), "bench/db/store-only");
          byte[] chunk = new byte[32 * 1024];
          new Random(3).nextBytes(chunk);
          for (int i = 0; i < 32 * 1024; i++) out.write(chunk);
          out.close();
          System.out.println("result " + (System.nanoTime() - t0) / 1e9 + " " + (1L << 30) + " 0");
        }
        channel.shutdownNow();
        return;
      }
      try (var s3 = ObjectStore.client(d, new ObjectStore.Credentials(a[2], a[3], null), null)) {
        long t0 = System.nanoTime();
        SnapshotStreamer.Stored stored = SnapshotStreamer.stream(channel, new SnapshotStreamer.Target(s3, d.getBucket(),
            keys(a[4]).dataKey(d, a[4], false), keys(a[4]).manifestKey(d), a[4], null),
            new SnapshotStreamer.Origin("db", "bench", "1", "", "1", "", "bench", "t", false));
        double seconds = (System.nanoTime() - t0) / 1e9;
        long rss = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM:"))
            .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1L);
        System.out.println("result " + seconds + " " + stored.storedSize() + " " + rss);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  /** Where the bench's snapshot of one compression lies (one cluster "db" of namespace "bench"). */
  static io.etcdpilot.operator.snapshot.SnapshotKeys keys(String compression) {
    return new io.etcdpilot.operator.snapshot.SnapshotKeys("bench", "db", "1", compression, "1");
  }
}
