package io.etcdpilot.operator.snapshot;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * An S3 object written as it is produced, with a multipart upload: one part buffer in memory, whatever the object's
 * size. {@link #close()} completes the upload; {@link #abort()} throws away what was uploaded.
 */
final class MultipartUploadStream extends OutputStream {
  /** S3's smallest part but the last is 5 MiB; a few more keep the part count low for big databases. */
  static final int PART_SIZE = 8 * 1024 * 1024;

  private final S3Client s3;
  private final String bucket;
  private final String key;
  private final byte[] part;
  private final List<CompletedPart> parts = new ArrayList<>();
  private String uploadId;
  private int filled;
  private long written;
  private boolean closed;

  MultipartUploadStream(S3Client s3, String bucket, String key) {
    this(s3, bucket, key, PART_SIZE);
  }

  MultipartUploadStream(S3Client s3, String bucket, String key, int partSize) {
    this.s3 = s3;
    this.bucket = bucket;
    this.key = key;
    this.part = new byte[partSize];
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (closed) throw new IOException("the upload of " + key + " is closed");
    while (len > 0) {
      int n = Math.min(len, part.length - filled);
      System.arraycopy(b, off, part, filled, n);
      filled += n;
      off += n;
      len -= n;
      written += n;
      if (filled == part.length) uploadPart();
    }
  }

  private void uploadPart() {
    if (uploadId == null) {
      uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId();
    }
    int number = parts.size() + 1;
    String etag = s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
        .contentLength((long) filled), RequestBody.fromInputStream(new ByteArrayInputStream(part, 0, filled), filled)).eTag();
    parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
    filled = 0;
  }

  /** Bytes written to the object so far. */
  long written() {
    return written;
  }

  @Override
  public void close() throws IOException {
    if (closed) return;
    closed = true;
    if (filled > 0 || parts.isEmpty()) uploadPart();
    s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
        .multipartUpload(m -> m.parts(parts)));
  }

  /** Drops the upload: nothing of it stays in the store. */
  void abort() {
    closed = true;
    if (uploadId == null) return;
    try {
      s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
    } catch (RuntimeException e) {
      // The store's own clean-up of incomplete uploads is the last resort; the snapshot has failed either way.
    }
  }
}
