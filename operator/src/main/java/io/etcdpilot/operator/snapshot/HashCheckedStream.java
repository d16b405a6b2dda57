package io.etcdpilot.operator.snapshot;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Passes etcd's snapshot stream through unchanged while checking it: etcd appends the sha256 of the database to the
 * stream, so every byte but the last 32 is hashed as it passes and {@link #verify()} compares the result with those
 * 32 bytes. A corrupted byte or a stream cut anywhere fails the check; nothing is buffered but 32 bytes.
 */
final class HashCheckedStream extends FilterOutputStream {
  static final int HASH_LENGTH = 32;

  /** The stream does not end with the sha256 of what came before it. */
  static final class HashMismatch extends IOException {
    HashMismatch(String message) {
      super(message);
    }
  }

  private final MessageDigest digest;
  private final byte[] tail = new byte[HASH_LENGTH];
  private int tailLength;
  private long total;

  HashCheckedStream(OutputStream out) {
    super(out);
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    total += len;
    if (len >= HASH_LENGTH) {
      // What was held back, and all of this chunk but its last 32 bytes, are database bytes.
      digest.update(tail, 0, tailLength);
      digest.update(b, off, len - HASH_LENGTH);
      System.arraycopy(b, off + len - HASH_LENGTH, tail, 0, HASH_LENGTH);
      tailLength = HASH_LENGTH;
      return;
    }
    int overflow = tailLength + len - HASH_LENGTH;
    if (overflow > 0) {
      digest.update(tail, 0, overflow);
      System.arraycopy(tail, overflow, tail, 0, tailLength - overflow);
      tailLength -= overflow;
    }
    System.arraycopy(b, off, tail, tailLength, len);
    tailLength += len;
  }

  /** Bytes of the database (the stream without its hash). */
  long databaseSize() {
    return Math.max(0, total - HASH_LENGTH);
  }

  /**
   * Checks the stream's trailing hash; call once the stream has ended.
   * @return the database's sha256, hex
   */
  String verify() throws HashMismatch {
    if (tailLength < HASH_LENGTH) {
      throw new HashMismatch("the snapshot stream ended after " + total + " bytes, before etcd's sha256 of the database");
    }
    byte[] computed = digest.digest();
    if (!Arrays.equals(computed, tail)) {
      throw new HashMismatch("the snapshot stream does not match etcd's sha256 of the database (computed "
          + HexFormat.of().formatHex(computed) + ", etcd sent " + HexFormat.of().formatHex(tail)
          + "): corrupted or cut off");
    }
    return HexFormat.of().formatHex(computed);
  }
}
