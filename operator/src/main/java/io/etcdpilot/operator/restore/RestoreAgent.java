package io.etcdpilot.operator.restore;

import io.etcdpilot.operator.api.v1alpha1.S3Destination;
import io.etcdpilot.operator.model.EtcdFlags;
import io.etcdpilot.operator.model.RestoreSource;
import io.etcdpilot.operator.model.RestoreSteps;
import io.etcdpilot.operator.snapshot.ObjectStore;
import io.etcdpilot.operator.snapshot.SnapshotEncryption;
import io.etcdpilot.operator.snapshot.SnapshotManifest;
import io.etcdpilot.operator.snapshot.SnapshotReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The operator's image run as a member pod's restore steps (init containers), around etcd's own
 * {@code etcdutl snapshot restore}:
 * <ul>
 *   <li>{@code fetch}: while the cluster is being created from a snapshot, download it, decrypt, decompress, check it
 *       against its manifest and etcd's own hash, and leave it for etcdutl; refuse (exit 1, the reason as the last
 *       line) on any mismatch, so no member ever starts from a bad copy. Otherwise do nothing.</li>
 *   <li>{@code finish}: move what etcdutl restored into the member's data directory, unless the member already has
 *       data (a pod restarted during creation keeps what it has); clean up.</li>
 * </ul>
 * Configured by environment only (the variables {@link RestoreSteps} sets); its paths and names are that class's.
 */
public final class RestoreAgent {
  private RestoreAgent() {}

  public static void main(String[] args) {
    try {
      int code = run(args.length == 0 ? "" : args[0], System.getenv(), Path.of(System.getenv().getOrDefault(
          "RESTORE_ROOT", "/")));
      System.exit(code);
    } catch (Exception e) {
      System.out.println("restore refused: " + e.getMessage());
      System.exit(1);
    }
  }

  /** @param root where the container's filesystem starts ("/", a directory in tests) */
  static int run(String step, Map<String, String> env, Path root) throws Exception {
    Path work = root.resolve(RestoreSteps.WORK_DIR.substring(1));
    Path data = root.resolve(EtcdFlags.DATA_DIR.substring(1));
    boolean restoring = RestoreSteps.MODE_SNAPSHOT.equals(env.get(RestoreSteps.ENV_MODE));
    switch (step) {
      case "fetch" -> {
        deleteTree(work);
        if (!restoring) return 0;
        Files.createDirectories(work);
        fetch(env, work.resolve("snapshot.db"), root.resolve(RestoreSteps.MANIFEST_FILE.substring(1)));
        return 0;
      }
      case "finish" -> {
        Path restored = work.resolve("data");
        if (restoring && Files.isDirectory(restored.resolve("member")) && !Files.isDirectory(data.resolve("member"))) {
          deleteTree(data);
          Files.move(restored, data);
          System.out.println("restored the member's data from the snapshot");
        }
        deleteTree(work);
        return 0;
      }
      default -> throw new IllegalArgumentException("unknown step '" + step + "' (fetch or finish)");
    }
  }

  private static void fetch(Map<String, String> env, Path out, Path manifestCopy) throws Exception {
    S3Destination d = new S3Destination();
    d.setEndpoint(env.get("RESTORE_ENDPOINT"));
    d.setRegion(env.getOrDefault("RESTORE_REGION", "us-east-1"));
    d.setBucket(required(env, "RESTORE_BUCKET"));
    d.setForcePathStyle(Boolean.parseBoolean(env.get("RESTORE_PATH_STYLE")));
    String keyset = env.get("RESTORE_KEYSET");
    SnapshotEncryption encryption = keyset == null || keyset.isBlank() ? null : SnapshotEncryption.of(keyset);
    try (S3Client s3 = ObjectStore.client(d, new ObjectStore.Credentials(required(env, "RESTORE_ACCESS_KEY_ID"),
        required(env, "RESTORE_SECRET_ACCESS_KEY"), blankToNull(env.get("RESTORE_SESSION_TOKEN"))),
        blankToNull(env.get(RestoreSteps.ENV_CA)));
         OutputStream o = Files.newOutputStream(out)) {
      SnapshotManifest manifest = SnapshotReader.manifest(s3, d.getBucket(), required(env, "RESTORE_MANIFEST"));
      List<String> mismatches = RestoreCheck.mismatches(manifest, expected(env), encryption != null);
      if (!mismatches.isEmpty()) {
        throw new IllegalStateException("the manifest is not the snapshot asked for: " + String.join("; ", mismatches));
      }
      SnapshotReader.read(s3, d.getBucket(), manifest, encryption, o);
      Files.writeString(manifestCopy, manifest.toJson());
      System.out.println("fetched and checked snapshot " + manifest.object() + " (revision " + manifest.revision()
          + ", sha256 " + manifest.sha256() + ")");
    } catch (software.amazon.awssdk.core.exception.SdkException e) {
      throw new IOException("the object store refused: " + e.getMessage(), e);
    }
  }

  /** What the operator said the manifest must say ({@link RestoreSteps} sets it from the record or sourceCluster). */
  static RestoreSource.Expected expected(Map<String, String> env) {
    if (blankToNull(env.get(RestoreSteps.ENV_EXPECT_CLUSTER)) == null) return null; // a cluster created before these
    String revision = blankToNull(env.get(RestoreSteps.ENV_EXPECT_REVISION));
    String keyId = blankToNull(env.get(RestoreSteps.ENV_EXPECT_KEY_ID));
    return new RestoreSource.Expected(blankToNull(env.get(RestoreSteps.ENV_EXPECT_NAMESPACE)),
        env.get(RestoreSteps.ENV_EXPECT_CLUSTER), blankToNull(env.get(RestoreSteps.ENV_EXPECT_OBJECT)),
        blankToNull(env.get(RestoreSteps.ENV_EXPECT_SHA256)), revision == null ? null : Long.parseLong(revision),
        keyId == null ? null : Long.parseLong(keyId), Boolean.parseBoolean(env.get(RestoreSteps.ENV_TARGET_TLS)),
        Boolean.parseBoolean(env.get(RestoreSteps.ENV_ALLOW_TLS_OFF)));
  }

  private static String required(Map<String, String> env, String key) {
    String v = env.get(key);
    if (v == null || v.isBlank()) throw new IllegalArgumentException(key + " is not set");
    return v;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
    }
  }
}
