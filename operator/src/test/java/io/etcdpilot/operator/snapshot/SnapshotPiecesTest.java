package io.etcdpilot.operator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdpilot.operator.api.v1alpha1.S3Destination;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SnapshotPiecesTest {
  static byte[] etcdStream(byte[] db) throws Exception {
    byte[] hash = MessageDigest.getInstance("SHA-256").digest(db);
    byte[] out = new byte[db.length + hash.length];
    System.arraycopy(db, 0, out, 0, db.length);
    System.arraycopy(hash, 0, out, db.length, hash.length);
    return out;
  }

  /** Feeds the stream in chunks of every size from 1 byte up, as gRPC messages would come. */
  static HashCheckedStream fed(byte[] stream, ByteArrayOutputStream sink) throws Exception {
    HashCheckedStream check = new HashCheckedStream(sink);
    Random sizes = new Random(7);
    for (int off = 0; off < stream.length; ) {
      int n = Math.min(stream.length - off, 1 + sizes.nextInt(100));
      check.write(stream, off, n);
      off += n;
    }
    return check;
  }

  @Test
  void theHashCheckPassesEtcdsStreamThroughAndChecksItsTrailer() throws Exception {
    byte[] db = new byte[10_000];
    new Random(1).nextBytes(db);
    byte[] stream = etcdStream(db);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    HashCheckedStream check = fed(stream, sink);
    assertThat(check.verify()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(db)));
    assertThat(check.databaseSize()).isEqualTo(db.length);
    assertThat(sink.toByteArray()).as("passed through whole, trailer included").isEqualTo(stream);

    byte[] corrupted = stream.clone();
    corrupted[5000] ^= 0x10;
    assertThatThrownBy(() -> fed(corrupted, new ByteArrayOutputStream()).verify())
        .isInstanceOf(HashCheckedStream.HashMismatch.class).hasMessageContaining("does not match");
    byte[] truncated = java.util.Arrays.copyOf(stream, stream.length - 100);
    assertThatThrownBy(() -> fed(truncated, new ByteArrayOutputStream()).verify())
        .isInstanceOf(HashCheckedStream.HashMismatch.class);
    assertThatThrownBy(() -> fed(new byte[20], new ByteArrayOutputStream()).verify())
        .hasMessageContaining("ended after 20 bytes");
  }

  @Test
  void schedulesParseWithTheirZoneAndAMissedRunIsDueOnce() {
    SnapshotSchedule every6h = SnapshotSchedule.parse("0 */6 * * *", null);
    Instant t = Instant.parse("2026-12-01T05:59:00Z");
    assertThat(every6h.next(t)).contains(Instant.parse("2026-12-01T06:00:00Z"));
    SnapshotSchedule berlin = SnapshotSchedule.parse("0 2 * * *", "Europe/Berlin");
    assertThat(berlin.next(t)).contains(Instant.parse("2026-12-02T01:00:00Z"));
    // The operator was away for a day: one run is due, and after it (since = now) nothing until the next time.
    Instant lastRun = Instant.parse("2026-11-30T06:00:00Z");
    Instant back = Instant.parse("2026-12-01T07:30:00Z");
    assertThat(every6h.due(lastRun, back)).isTrue();
    assertThat(every6h.due(back, back.plusSeconds(60))).isFalse();
    assertThat(every6h.due(back, Instant.parse("2026-12-01T12:00:00Z"))).isTrue();
    assertThatThrownBy(() -> SnapshotSchedule.parse("every day", null)).hasMessageStartingWith("schedule:");
    assertThatThrownBy(() -> SnapshotSchedule.parse("0 * * * * *", null)).hasMessageStartingWith("schedule:");
    assertThatThrownBy(() -> SnapshotSchedule.parse("0 * * * *", "Mars/Olympus")).hasMessageStartingWith("timeZone:");
  }

  static SnapshotRetention.Entry e(String name, boolean scheduled, SnapshotRetention.Phase phase, int hoursAgo) {
    return new SnapshotRetention.Entry(name, scheduled, phase, NOW.minus(Duration.ofHours(hoursAgo)));
  }

  static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

  @Test
  void retentionPrunesOnlyScheduledSnapshotsAndKeepsTheNewestGoodOne() {
    var S = SnapshotRetention.Phase.Succeeded;
    var F = SnapshotRetention.Phase.Failed;
    var R = SnapshotRetention.Phase.Running;
    List<SnapshotRetention.Entry> all = List.of(
        e("s1", true, S, 1), e("s2", true, S, 2), e("s3", true, S, 3), e("s4", true, S, 4),
        e("mine", false, S, 100), e("f1", true, F, 5), e("f2", true, F, 6), e("f3", true, F, 7), e("f4", true, F, 8),
        e("run", true, R, 0));
    assertThat(SnapshotRetention.toDelete(all, 2, null, NOW)).containsExactlyInAnyOrder("s3", "s4", "f4");
    // maxAge: older than 150 min go, but never the newest successful one.
    assertThat(SnapshotRetention.toDelete(all, 10, Duration.ofMinutes(150), NOW)).containsExactlyInAnyOrder("s3", "s4", "f4");
    List<SnapshotRetention.Entry> old = List.of(e("only", true, S, 1000), e("older", true, S, 2000));
    assertThat(SnapshotRetention.toDelete(old, 5, Duration.ofHours(1), NOW)).containsExactly("older");
    assertThat(SnapshotRetention.toDelete(List.of(e("mine", false, S, 9999)), 1, Duration.ofHours(1), NOW)).isEmpty();
  }

  @Test
  void manifestsRoundTripAndObjectsAreNamedUnderThePrefix() throws Exception {
    SnapshotManifest m = new SnapshotManifest(2, "demo", "prod", "abc", 42, "3.6.16", "demo-1", "00ff", 1000, 400,
        "zstd", 123L, "prod/demo/x.db.zst.enc", "2026-12-01T00:00:00Z", "uid-c", "uid-s", true, null);
    assertThat(SnapshotManifest.fromJson(m.toJson())).isEqualTo(m);
    assertThat(SnapshotManifest.fromJson(m.toJson().replace("{", "{\"later\": 1,"))).as("newer fields ignored").isEqualTo(m);
    S3Destination d = new S3Destination();
    d.setPrefix("/backups/");
    SnapshotKeys keys = new SnapshotKeys("prod", "demo", "c-uid", "x", "s-uid");
    assertThat(keys.dataKey(d, "zstd", true)).isEqualTo("backups/prod/demo/c-uid/x-s-uid.db.zst.enc");
    assertThat(keys.dataKey(d, "none", false)).isEqualTo("backups/prod/demo/c-uid/x-s-uid.db");
    assertThat(keys.manifestKey(d)).isEqualTo("backups/prod/demo/c-uid/x-s-uid.json");
    d.setPrefix(null);
    assertThat(keys.dataKey(d, null, false)).isEqualTo("prod/demo/c-uid/x-s-uid.db.zst");
  }

  @Test
  void twoNamespacesWithTheSameClusterAndSnapshotNamesNeverShareAKey() {
    S3Destination shared = new S3Destination();
    shared.setPrefix("");
    // The same cluster name and scheduled snapshot name in two namespaces, one bucket, no prefix.
    SnapshotKeys a = new SnapshotKeys("team-a", "main", "1111", "main-20261206-000000", "aaaa");
    SnapshotKeys b = new SnapshotKeys("team-b", "main", "2222", "main-20261206-000000", "bbbb");
    assertThat(a.dataKey(shared, "zstd", false)).isNotEqualTo(b.dataKey(shared, "zstd", false));
    assertThat(a.manifestKey(shared)).isNotEqualTo(b.manifestKey(shared));
    // Nor a cluster re-created under its old name, nor a record re-created under its old name.
    SnapshotKeys recreated = new SnapshotKeys("team-a", "main", "3333", "main-20261206-000000", "aaaa");
    SnapshotKeys again = new SnapshotKeys("team-a", "main", "1111", "main-20261206-000000", "cccc");
    assertThat(recreated.dataKey(shared, "zstd", false)).isNotEqualTo(a.dataKey(shared, "zstd", false));
    assertThat(again.dataKey(shared, "zstd", false)).isNotEqualTo(a.dataKey(shared, "zstd", false));
  }
}
