package io.etcdpilot.operator.drill;

import io.etcdpilot.operator.snapshot.SnapshotManifest;
import java.util.ArrayList;
import java.util.List;

/**
 * A restore drill's verdict: what etcd, serving the restored copy, says against what the member said when the snapshot
 * was taken (its manifest). Pure.
 */
public final class DrillCheck {
  private DrillCheck() {}

  /**
   * What the restored copy answers at the snapshot's revision.
   *
   * @param revision the restored etcd's current revision
   * @param keys the key count at the manifest's revision; null when that revision is compacted away in the copy
   * @param hash etcd's KV hash at the manifest's revision; null when etcd could not compute it
   * @param compactRevision the compaction that hash starts from
   */
  public record Restored(long revision, Long keys, Long hash, long compactRevision) {}

  /** @param passed whether every check held; {@code message} says what was compared, or what differed */
  public record Verdict(boolean passed, String message) {}

  public static Verdict judge(SnapshotManifest manifest, Restored restored) {
    List<String> wrong = new ArrayList<>();
    List<String> held = new ArrayList<>();
    if (restored.revision() < manifest.revision()) {
      wrong.add("revision: the restored copy is at " + restored.revision() + ", the manifest says at least "
          + manifest.revision());
    } else {
      held.add("revision " + restored.revision() + " (manifest " + manifest.revision() + ")");
    }
    SnapshotManifest.Contents c = manifest.contents();
    if (c == null) {
      held.add("no key count or hash in the manifest (taken before they were recorded)");
    } else {
      if (restored.keys() == null) {
        wrong.add("keys: revision " + manifest.revision() + " is compacted away in the restored copy");
      } else if (restored.keys() != c.keys()) {
        wrong.add("keys: the restored copy holds " + restored.keys() + " at revision " + manifest.revision()
            + ", the member held " + c.keys());
      } else {
        held.add(c.keys() + " keys");
      }
      if (restored.compactRevision() != c.compactRevision()) {
        // A compaction between the member's hash and its snapshot leaves less history: the hash cannot agree.
        held.add("hash not comparable (compacted at " + restored.compactRevision() + " in the copy, "
            + c.compactRevision() + " when hashed)");
      } else if (restored.hash() == null) {
        wrong.add("hash: the restored etcd could not compute it");
      } else if (restored.hash() != c.hashKV()) {
        wrong.add("hash: the restored copy's KV hash at revision " + manifest.revision() + " is " + restored.hash()
            + ", the member's was " + c.hashKV());
      } else {
        held.add("KV hash " + c.hashKV());
      }
    }
    return wrong.isEmpty() ? new Verdict(true, "restored " + manifest.object() + ": " + String.join(", ", held))
        : new Verdict(false, String.join("; ", wrong));
  }
}
