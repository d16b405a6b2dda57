package io.etcdpilot.operator.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.snapshot.SnapshotManifest;
import org.junit.jupiter.api.Test;

class DrillCheckTest {
  static SnapshotManifest manifest(long revision, SnapshotManifest.Contents contents) {
    return new SnapshotManifest(3, "demo", "prod", "abc", revision, "3.6.16", "demo-1", "00ff", 1000, 400, "zstd", null,
        "prod/demo/demo-1.db.zst", "2026-12-06T00:00:00Z", "c-uid", "s-uid", false, contents);
  }

  @Test
  void passesWhenRevisionKeysAndHashAgree() {
    var v = DrillCheck.judge(manifest(500, new SnapshotManifest.Contents(42, 123456789L, 100)),
        new DrillCheck.Restored(503, 42L, 123456789L, 100));
    assertThat(v.passed()).isTrue();
    assertThat(v.message()).contains("revision 503", "42 keys", "KV hash 123456789");
  }

  @Test
  void eachDisagreementIsNamed() {
    SnapshotManifest m = manifest(500, new SnapshotManifest.Contents(42, 123456789L, 100));
    assertThat(DrillCheck.judge(m, new DrillCheck.Restored(499, 42L, 123456789L, 100)).message())
        .contains("revision: the restored copy is at 499");
    var keys = DrillCheck.judge(m, new DrillCheck.Restored(500, 41L, 123456789L, 100));
    assertThat(keys.passed()).isFalse();
    assertThat(keys.message()).contains("holds 41", "held 42");
    var hash = DrillCheck.judge(m, new DrillCheck.Restored(500, 42L, 7L, 100));
    assertThat(hash.passed()).isFalse();
    assertThat(hash.message()).contains("KV hash", "is 7", "was 123456789");
    assertThat(DrillCheck.judge(m, new DrillCheck.Restored(500, null, null, -1)).passed())
        .as("the snapshot's revision compacted away in the copy").isFalse();
  }

  @Test
  void aCompactionBetweenHashAndSnapshotIsNotAHashMismatch() {
    var v = DrillCheck.judge(manifest(500, new SnapshotManifest.Contents(42, 123456789L, 100)),
        new DrillCheck.Restored(520, 42L, 99L, 450));
    assertThat(v.passed()).isTrue();
    assertThat(v.message()).contains("hash not comparable");
  }

  @Test
  void anOldManifestIsCheckedForWhatItHas() {
    var v = DrillCheck.judge(manifest(500, null), new DrillCheck.Restored(500, 1L, 1L, 0));
    assertThat(v.passed()).isTrue();
    assertThat(v.message()).contains("no key count or hash");
  }
}
