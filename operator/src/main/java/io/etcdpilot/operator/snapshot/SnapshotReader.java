package io.etcdpilot.operator.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Reads a stored snapshot back the way a restore does: manifest, then the object downloaded as a stream, decrypted,
 * decompressed, and checked against both the manifest's sha256 and etcd's own trailer while it is written out. Any
 * mismatch, a wrong key, a flipped byte, refuses with a message; the output is then not to be used.
 */
public final class SnapshotReader {
  private SnapshotReader() {}

  /** The snapshot is not what its manifest says it is, or cannot be decrypted. */
  public static final class Refused extends IOException {
    Refused(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public static SnapshotManifest manifest(S3Client s3, String bucket, String manifestKey) throws IOException {
    return SnapshotManifest.fromJson(s3.getObjectAsBytes(r -> r.bucket(bucket).key(manifestKey))
        .asString(StandardCharsets.UTF_8));
  }

  /**
   * Writes the database file etcd's tools restore from (the database followed by its sha256, as {@code etcdctl
   * snapshot save} writes it) to {@code out}.
   */
  public static void read(S3Client s3, String bucket, SnapshotManifest manifest, SnapshotEncryption encryption,
      OutputStream out) throws IOException {
    if (manifest.encryptionKeyId() != null && encryption == null) {
      throw new Refused("the snapshot is encrypted (key id " + manifest.encryptionKeyId() + ") and no key was given", null);
    }
    if (manifest.encryptionKeyId() != null && encryption.keyId() != manifest.encryptionKeyId()) {
      throw new Refused("the snapshot was encrypted with key id " + manifest.encryptionKeyId() + ", the key given is "
          + encryption.keyId(), null);
    }
    try (InputStream object = s3.getObject(r -> r.bucket(bucket).key(manifest.object()))) {
      HashCheckedStream check = new HashCheckedStream(out);
      try {
        InputStream in = object;
        if (manifest.encryptionKeyId() != null) in = encryption.decrypting(in, manifest.object());
        // Decompressors read their header at once: a failure to decrypt can surface here already.
        in = Compression.valueOf(manifest.compression()).decompressing(in);
        in.transferTo(check);
      } catch (IOException e) {
        throw new Refused("the stored snapshot " + manifest.object() + " does not read back: " + e.getMessage(), e);
      }
      String sha = check.verify();
      if (!sha.equals(manifest.sha256())) {
        throw new Refused("the snapshot's sha256 " + sha + " is not the manifest's " + manifest.sha256(), null);
      }
      check.flush();
    } catch (HashCheckedStream.HashMismatch e) {
      throw new Refused(e.getMessage(), e);
    }
  }
}
