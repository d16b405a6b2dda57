package io.etcdpilot.operator.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.model.RestoreSource;
import io.etcdpilot.operator.snapshot.SnapshotManifest;
import org.junit.jupiter.api.Test;

/** A restore holds the bucket's manifest to what the record says; any disagreement refuses it. */
class RestoreCheckTest {
  static SnapshotManifest manifest(String namespace, String cluster, String object, String sha, long revision, Long keyId,
      Boolean tls) {
    return new SnapshotManifest(2, cluster, namespace, "abc", revision, "3.6.16", cluster + "-1", sha, 1000, 400, "zstd",
        keyId, object, "2026-12-06T00:00:00Z", "c-uid", "s-uid", tls, null);
  }

  static final RestoreSource.Expected RECORD = new RestoreSource.Expected("team-a", "main",
      "team-a/main/c-uid/nightly-s-uid.db.zst.enc", "00ff", 42L, 7L, true, false);

  @Test
  void theManifestTheRecordDescribesIsRestored() {
    assertThat(RestoreCheck.mismatches(manifest("team-a", "main", RECORD.object(), "00ff", 42, 7L, true), RECORD, true))
        .isEmpty();
  }

  @Test
  void anotherTeamsManifestIsRefusedFieldByField() {
    var wrong = manifest("team-b", "main", "team-b/main/x/nightly-y.db.zst.enc", "11ee", 99, 8L, true);
    assertThat(RestoreCheck.mismatches(wrong, RECORD, true)).hasSize(5).anySatisfy(m -> assertThat(m)
        .startsWith("namespace").contains("team-b").contains("team-a"))
        .anySatisfy(m -> assertThat(m).startsWith("object"))
        .anySatisfy(m -> assertThat(m).startsWith("sha256"))
        .anySatisfy(m -> assertThat(m).startsWith("revision"))
        .anySatisfy(m -> assertThat(m).startsWith("encryption key id"));
  }

  @Test
  void aManifestSayingNotEncryptedDoesNotSkipTheKeysetConfigured() {
    RestoreSource.Expected byLocation = new RestoreSource.Expected("team-a", "main", RECORD.object(), null, null, null,
        true, false);
    var clear = manifest("team-a", "main", RECORD.object(), "00ff", 42, null, true);
    assertThat(RestoreCheck.mismatches(clear, byLocation, true)).singleElement().asString().contains("not encrypted");
    assertThat(RestoreCheck.mismatches(clear, byLocation, false)).isEmpty();
  }

  @Test
  void aTlsClustersSnapshotGoesIntoAPlainTextClusterOnlyWhenAskedFor() {
    var tls = manifest("team-a", "main", RECORD.object(), "00ff", 42, null, true);
    RestoreSource.Expected plain = new RestoreSource.Expected("team-a", "main", null, null, null, null, false, false);
    assertThat(RestoreCheck.mismatches(tls, plain, false)).singleElement().asString().contains("TLS");
    RestoreSource.Expected asked = new RestoreSource.Expected("team-a", "main", null, null, null, null, false, true);
    assertThat(RestoreCheck.mismatches(tls, asked, false)).isEmpty();
  }
}
