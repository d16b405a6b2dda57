package io.etcdpilot.operator.restore;

import io.etcdpilot.operator.model.RestoreSource;
import io.etcdpilot.operator.snapshot.SnapshotManifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Whether a snapshot's manifest is the one the restore was asked for: a manifest lies in a bucket others may write, so
 * it is held to what the EtcdSnapshot record (or the user's {@code sourceCluster}) says, field by field. Pure.
 */
public final class RestoreCheck {
  private RestoreCheck() {}

  /**
   * @param keysetGiven whether a keyset was configured for the restore: then the snapshot must be encrypted with it
   * @return every disagreement, in words; empty when the manifest is the one asked for
   */
  public static List<String> mismatches(SnapshotManifest manifest, RestoreSource.Expected expected, boolean keysetGiven) {
    List<String> out = new ArrayList<>();
    if (expected != null) {
      differs(out, "namespace", expected.namespace(), manifest.namespace());
      differs(out, "cluster", expected.cluster(), manifest.cluster());
      differs(out, "object", expected.object(), manifest.object());
      differs(out, "sha256", expected.sha256(), manifest.sha256());
      if (expected.revision() != null && expected.revision() != manifest.revision()) {
        out.add("revision: the manifest says " + manifest.revision() + ", the record " + expected.revision());
      }
      if (expected.keyId() != null && !expected.keyId().equals(manifest.encryptionKeyId())) {
        out.add("encryption key id: the manifest says " + manifest.encryptionKeyId() + ", the record " + expected.keyId());
      }
      if (Boolean.TRUE.equals(manifest.tls()) && !expected.targetTls() && !expected.allowTlsOff()) {
        out.add("the snapshot's cluster ran TLS and the new one does not (allowTlsOff is not set)");
      }
    }
    if (keysetGiven && manifest.encryptionKeyId() == null) {
      out.add("a keyset is configured but the manifest says the snapshot is not encrypted: an unencrypted object is not"
          + " restored where encrypted ones are expected");
    }
    return out;
  }

  private static void differs(List<String> out, String what, String expected, String actual) {
    if (expected != null && !Objects.equals(expected, actual)) {
      out.add(what + ": the manifest says " + actual + ", the record " + expected);
    }
  }
}
