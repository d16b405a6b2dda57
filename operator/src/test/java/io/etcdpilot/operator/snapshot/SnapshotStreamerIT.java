package io.etcdpilot.operator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcdpilot.operator.api.v1alpha1.S3Destination;
import io.etcdpilot.operator.etcd.LocalEtcdCluster;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** The operator's snapshot code against a real etcd and a real S3 API (s3proxy). */
class SnapshotStreamerIT {
  static LocalEtcdCluster etcd;
  static LocalS3 store;
  static S3Client s3;
  static final String BUCKET = "backups";

  @BeforeAll
  static void start() throws Exception {
    etcd = new LocalEtcdCluster("127.0.73.", 1);
    store = new LocalS3("127.0.73.50");
    s3 = store.client(store.destination(BUCKET, ""));
    s3.createBucket(r -> r.bucket(BUCKET));
  }

  @AfterAll
  static void stop() throws Exception {
    s3.close();
    store.close();
    etcd.close();
  }

  static ManagedChannel channel() {
    URI u = URI.create(etcd.clientUrls().get(0));
    return NettyChannelBuilder.forAddress(u.getHost(), u.getPort()).usePlaintext().build();
  }

  static void fill(long bytes, String prefix) throws Exception {
    Random random = new Random(42);
    byte[] value = new byte[1024 * 1024];
    try (Client c = Client.builder().endpoints(etcd.clientUrls().toArray(String[]::new)).build()) {
      for (int i = 0; i * (long) value.length < bytes; i++) {
        random.nextBytes(value);
        c.getKVClient().put(ByteSequence.from(prefix + i, StandardCharsets.UTF_8), ByteSequence.from(value))
            .get(30, TimeUnit.SECONDS);
      }
    }
  }

  static SnapshotStreamer.Stored snapshot(S3Destination d, String name, String compression, SnapshotEncryption enc)
      throws Exception {
    ManagedChannel ch = channel();
    try {
      return SnapshotStreamer.stream(ch, new SnapshotStreamer.Target(s3, BUCKET,
              keys(name).dataKey(d, compression, enc != null), keys(name).manifestKey(d), compression, enc),
          new SnapshotStreamer.Origin("it", "default", "c-uid", "abc", "s-uid", "3.4.23", "m1", "2026-12-01T00:00:00Z", false));
    } finally {
      ch.shutdownNow();
    }
  }

  /** etcd's own tool on the restored file: revision and hash as etcd reads them. */
  static String etcdStatus(Path file) throws Exception {
    Process p = new ProcessBuilder("/usr/bin/etcdctl", "snapshot", "status", file.toString(), "-w", "json")
        .redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out.lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow(() -> new AssertionError(out));
  }

  @Test
  void aLargeDatabaseStreamsInASmallHeapAndReadsBackAsEtcdWroteIt(@TempDir Path tmp) throws Exception {
    fill(256L * 1024 * 1024, "/big/");
    S3Destination d = store.destination(BUCKET, "it/big");
    // The operator's code in its own JVM with a heap far smaller than the database.
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
        "-cp", System.getProperty("java.class.path"), SnapshotToFile.class.getName(), etcd.clientUrls().get(0),
        store.endpoint(), BUCKET, "it/big", "zstd").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    String line = out.lines().filter(l -> l.startsWith("stored ")).findFirst().orElseThrow(() -> new AssertionError(out));
    String[] f = line.split(" ");
    long dbSize = Long.parseLong(f[1]);
    long revision = Long.parseLong(f[3]);
    assertThat(dbSize).isGreaterThan(256L * 1024 * 1024);
    assertThat(Long.parseLong(f[6])).as("max heap").isLessThanOrEqualTo(128L * 1024 * 1024);

    SnapshotManifest manifest = SnapshotReader.manifest(s3, BUCKET, keys("big").manifestKey(d));
    assertThat(manifest.dbSize()).isEqualTo(dbSize);
    assertThat(manifest.sha256()).isEqualTo(f[4]);
    assertThat(manifest.revision()).isEqualTo(revision);
    assertThat(manifest.compression()).isEqualTo("zstd");
    Path db = tmp.resolve("big.db");
    try (OutputStream o = Files.newOutputStream(db)) {
      SnapshotReader.read(s3, BUCKET, manifest, null, o);
    }
    var status = new ObjectMapper().readTree(etcdStatus(db));
    assertThat(status.get("revision").asLong()).isEqualTo(revision);
    assertThat(status.get("totalKey").asLong()).isGreaterThanOrEqualTo(256);
  }

  @Test
  void encryptedSnapshotsReadBackOnlyWithTheirKeyAndAFlippedByteIsRefused(@TempDir Path tmp) throws Exception {
    fill(4L * 1024 * 1024, "/small/");
    S3Destination d = store.destination(BUCKET, "it/enc");
    SnapshotEncryption key = SnapshotEncryption.of(SnapshotEncryption.newKeyset());
    SnapshotStreamer.Stored stored = snapshot(d, "enc", "gzip", key);
    SnapshotManifest manifest = SnapshotReader.manifest(s3, BUCKET, keys("enc").manifestKey(d));
    assertThat(manifest.encryptionKeyId()).isEqualTo(key.keyId());
    assertThat(manifest.sha256()).isEqualTo(stored.sha256());
    // Encrypted at rest: not one value's bytes appear in the stored object (and gzip's magic does not either).
    byte[] raw = Files.readAllBytes(store.file(BUCKET, manifest.object()));
    assertThat(raw.length).isEqualTo((int) stored.storedSize());
    assertThat(raw[0] == (byte) 0x1f && raw[1] == (byte) 0x8b).isFalse();

    Path good = tmp.resolve("good.db");
    try (OutputStream o = Files.newOutputStream(good)) {
      SnapshotReader.read(s3, BUCKET, manifest, key, o);
    }
    assertThat(new ObjectMapper().readTree(etcdStatus(good)).get("revision").asLong()).isEqualTo(stored.revision());

    SnapshotEncryption other = SnapshotEncryption.of(SnapshotEncryption.newKeyset());
    assertThatThrownBy(() -> SnapshotReader.read(s3, BUCKET, manifest, other, OutputStream.nullOutputStream()))
        .isInstanceOf(SnapshotReader.Refused.class).hasMessageContaining("key id");
    // The manifest edited to name the other key: decryption itself refuses.
    SnapshotManifest lied = new SnapshotManifest(1, "it", "default", "abc", manifest.revision(), "3.4.23", "m1",
        manifest.sha256(), manifest.dbSize(), manifest.storedSize(), "gzip", other.keyId(), manifest.object(), "t",
        manifest.clusterUid(), manifest.snapshotUid(), manifest.tls(), null);
    assertThatThrownBy(() -> SnapshotReader.read(s3, BUCKET, lied, other, OutputStream.nullOutputStream()))
        .isInstanceOf(SnapshotReader.Refused.class);

    // One byte flipped in the stored object.
    raw[raw.length / 2] ^= 0x01;
    Files.write(store.file(BUCKET, manifest.object()), raw, StandardOpenOption.TRUNCATE_EXISTING);
    assertThatThrownBy(() -> SnapshotReader.read(s3, BUCKET, manifest, key, OutputStream.nullOutputStream()))
        .isInstanceOf(SnapshotReader.Refused.class);
  }

  @Test
  void aFlippedByteInAnUnencryptedSnapshotIsRefusedByTheHashCheck() throws Exception {
    fill(2L * 1024 * 1024, "/plain/");
    S3Destination d = store.destination(BUCKET, "it/plain");
    snapshot(d, "plain", "none", null);
    SnapshotManifest manifest = SnapshotReader.manifest(s3, BUCKET, keys("plain").manifestKey(d));
    byte[] raw = Files.readAllBytes(store.file(BUCKET, manifest.object()));
    raw[raw.length / 3] ^= 0x40;
    Files.write(store.file(BUCKET, manifest.object()), raw, StandardOpenOption.TRUNCATE_EXISTING);
    assertThatThrownBy(() -> SnapshotReader.read(s3, BUCKET, manifest, null, OutputStream.nullOutputStream()))
        .isInstanceOf(SnapshotReader.Refused.class).hasMessageContaining("sha256");
  }

  @Test
  void aMissingBucketFailsTheSnapshotAndLeavesNothingBehind() throws Exception {
    S3Destination d = store.destination("no-such-bucket", "");
    assertThatThrownBy(() -> SnapshotStreamer.stream(channel(), new SnapshotStreamer.Target(s3, "no-such-bucket",
        "x.db", "x.json", "zstd", null), new SnapshotStreamer.Origin("it", "default", "c-uid", "abc", "s-uid", "3.4.23", "m1", "t", false)))
        .hasMessageContaining("bucket");
    assertThat(List.of(store.dir.toFile().list())).doesNotContain("no-such-bucket");
  }

  @Test
  void anUploadLeftUnfinishedIsAbortedAndOthersAreLeftAlone() {
    String left = s3.createMultipartUpload(r -> r.bucket(BUCKET).key("prod/interrupted.db.zst")).uploadId();
    s3.uploadPart(r -> r.bucket(BUCKET).key("prod/interrupted.db.zst").uploadId(left).partNumber(1),
        software.amazon.awssdk.core.sync.RequestBody.fromBytes(new byte[1024]));
    String other = s3.createMultipartUpload(r -> r.bucket(BUCKET).key("prod/other.db.zst")).uploadId();
    assertThat(ObjectStore.abortUploads(s3, BUCKET, "prod/", "/interrupted.db")).isEqualTo(1);
    assertThat(s3.listMultipartUploads(r -> r.bucket(BUCKET).prefix("prod/")).uploads())
        .extracting(u -> u.uploadId()).containsExactly(other);
    assertThat(ObjectStore.abortUploads(s3, BUCKET, "prod/", "/other.db")).isEqualTo(1);
  }

  /** The keys of a snapshot of this test's cluster. */
  static SnapshotKeys keys(String name) {
    return new SnapshotKeys("default", "it", "c-uid", name, "s-uid");
  }

  @Test
  void anObjectThatExistsIsSeenBeforeAnythingIsWritten() throws Exception {
    // s3proxy ignores If-None-Match (a store without conditional writes): the taker's check comes first.
    S3Destination d = store.destination(BUCKET, "it/conditional");
    assertThat(ObjectStore.exists(s3, BUCKET, keys("once").dataKey(d, "none", false))).isFalse();
    snapshot(d, "once", "none", null);
    assertThat(ObjectStore.exists(s3, BUCKET, keys("once").dataKey(d, "none", false))).isTrue();
    assertThat(ObjectStore.exists(s3, BUCKET, keys("once").manifestKey(d))).isTrue();
  }
}
