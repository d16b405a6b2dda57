package io.etcdpilot.operator.snapshot;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * An S3 object written as it is produced, with a multipart upload. Two part buffers: one fills while the other
 * uploads, so etcd's stream and the upload overlap, and memory holds two parts whatever the object's size.
 * {@link #close()} completes the upload; {@link #abort()} throws away what was uploaded.
 */
final class MultipartUploadStream extends OutputStream {
  /** S3's smallest part but the last is 5 MiB; a few more keep the part count low for big databases. */
  static final int PART_SIZE = 8 * 1024 * 1024;

  private final S3Client s3;
  private final String bucket;
  private final String key;
  private byte[] part;
  private byte[] spare;
  private final List<CompletedPart> parts = new ArrayList<>();
  private final ExecutorService uploader;
  private Future<CompletedPart> inFlight;
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
    this.spare = new byte[partSize];
    this.uploader = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "snapshot-upload");
      t.setDaemon(true);
      return t;
    });
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

  /** Hands the full buffer to the uploader (after the previous part is in) and goes on filling the other one. */
  private void uploadPart() throws IOException {
    if (uploadId == null) {
      uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId();
    }
    awaitInFlight();
    int number = parts.size() + 1;
    byte[] full = part;
    int length = filled;
    String id = uploadId;
    inFlight = uploader.submit(() -> {
      String etag = s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(id).partNumber(number)
          .contentLength((long) length), RequestBody.fromInputStream(new ByteArrayInputStream(full, 0, length), length))
          .eTag();
      return CompletedPart.builder().partNumber(number).eTag(etag).build();
    });
    part = spare;
    spare = full;
    filled = 0;
  }

  private void awaitInFlight() throws IOException {
    if (inFlight == null) return;
    try {
      parts.add(inFlight.get());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while uploading " + key, e);
    } finally {
      inFlight = null;
    }
  }

  /** Bytes written to the object so far. */
  long written() {
    return written;
  }

  @Override
  public void close() throws IOException {
    if (closed) return;
    try {
      if (filled > 0 || (parts.isEmpty() && inFlight == null)) uploadPart();
      awaitInFlight();
      closed = true;
      s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId).ifNoneMatch("*")
          .multipartUpload(m -> m.parts(parts)));
    } finally {
      closed = true;
      uploader.shutdownNow();
    }
  }

  /** Drops the upload: nothing of it stays in the store. */
  void abort() {
    closed = true;
    if (inFlight != null) inFlight.cancel(true);
    uploader.shutdownNow();
    if (uploadId == null) return;
    try {
      s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
    } catch (RuntimeException e) {
      // The store's own clean-up of incomplete uploads is the last resort; the snapshot has failed either way.
    }
  }
}
