package io.etcdpilot.operator.snapshot;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.HashKVResponse;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.SnapshotRequest;
import io.etcd.jetcd.api.SnapshotResponse;
import io.grpc.Channel;
import io.grpc.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Streams one member's snapshot into object storage: etcd's stream → hash check → compression → encryption →
 * multipart upload, message by message (gRPC's flow control paces etcd to the upload), so memory holds one upload part
 * whatever the database size. The object is completed only after etcd's trailing sha256 matched; on any failure the
 * upload is aborted, so a bad snapshot is never stored. The manifest is written last.
 */
public final class SnapshotStreamer {
  /** The longest a snapshot may stream. */
  static final Duration MAX_DURATION = Duration.ofHours(2);

  private SnapshotStreamer() {}

  /** Where and how to store it. {@code encryption} is null for none. */
  public record Target(S3Client s3, String bucket, String dataKey, String manifestKey, Compression compression,
      SnapshotEncryption encryption) {
    public Target(S3Client s3, String bucket, String dataKey, String manifestKey, String compression,
        SnapshotEncryption encryption) {
      this(s3, bucket, dataKey, manifestKey, Compression.of(compression), encryption);
    }
  }

  /** What was stored. */
  public record Stored(long revision, String sha256, long dbSize, long storedSize) {}

  /** Identity of the snapshot, for the manifest. */
  public record Origin(String cluster, String namespace, String clusterUid, String clusterId, String snapshotUid,
      String etcdVersion, String member, String time, boolean tls) {}

  public static Stored stream(Channel member, Target t, Origin origin) throws IOException {
    MultipartUploadStream upload = new MultipartUploadStream(t.s3(), t.bucket(), t.dataKey());
    OutputStream chain = upload;
    if (t.encryption() != null) chain = t.encryption().encrypting(chain, t.dataKey());
    chain = t.compression().compressing(chain);
    HashCheckedStream check = new HashCheckedStream(chain);
    Context.CancellableContext call = Context.current().withCancellation();
    Context previous = call.attach();
    try {
      // The member's own revision just before its database is read: everything up to it is in the snapshot (etcd's
      // snapshot answers carry no revision; a write landing in between may make the database a little newer).
      long revision = KVGrpc.newBlockingStub(member).withDeadlineAfter(10, TimeUnit.SECONDS)
          .range(RangeRequest.newBuilder().setKey(ByteString.copyFrom(new byte[] {0})).setCountOnly(true)
              .setSerializable(true).build()).getHeader().getRevision();
      SnapshotManifest.Contents contents = contents(member, revision);
      Iterator<SnapshotResponse> responses = MaintenanceGrpc.newBlockingStub(member)
          .withDeadlineAfter(MAX_DURATION.toMillis(), TimeUnit.MILLISECONDS).snapshot(SnapshotRequest.getDefaultInstance());
      long remaining = -1;
      while (responses.hasNext()) {
        SnapshotResponse r = responses.next();
        r.getBlob().writeTo(check);
        remaining = r.getRemainingBytes();
      }
      if (remaining != 0) {
        throw new HashCheckedStream.HashMismatch("the snapshot stream ended with " + remaining + " bytes still to come");
      }
      String sha256 = check.verify();
      check.close(); // finishes compression and encryption, completes the upload
      Stored stored = new Stored(revision, sha256, check.databaseSize(), upload.written());
      try {
        SnapshotManifest manifest = new SnapshotManifest(SnapshotManifest.FORMAT, origin.cluster(), origin.namespace(),
            origin.clusterId(), revision, origin.etcdVersion(), origin.member(), sha256, stored.dbSize(),
            stored.storedSize(), t.compression().name(), t.encryption() == null ? null : t.encryption().keyId(),
            t.dataKey(), origin.time(), origin.clusterUid(), origin.snapshotUid(), origin.tls(), contents);
        // Never over another's manifest (stores with conditional writes refuse; the taker checked the others).
        t.s3().putObject(r -> r.bucket(t.bucket()).key(t.manifestKey()).contentType("application/json").ifNoneMatch("*"),
            RequestBody.fromString(manifest.toJson()));
      } catch (RuntimeException e) {
        // A snapshot without its manifest is not restorable from the bucket alone: not kept.
        deleteQuietly(t.s3(), t.bucket(), t.dataKey());
        throw e;
      }
      return stored;
    } catch (IOException | RuntimeException e) {
      upload.abort();
      try {
        check.close();
      } catch (IOException | RuntimeException ignored) {
        // the upload is aborted; what the compressor still had to say goes nowhere
      }
      throw e;
    } finally {
      call.detach(previous);
      call.cancel(null);
    }
  }

  /**
   * The member's key count and KV hash at {@code revision}, for restore drills; null when the member cannot say (a
   * compaction past it, an etcd without HashKV): the snapshot is still taken, its drills check less.
   */
  public static SnapshotManifest.Contents contents(Channel member, long revision) {
    try {
      long keys = KVGrpc.newBlockingStub(member).withDeadlineAfter(60, TimeUnit.SECONDS)
          .range(RangeRequest.newBuilder().setKey(ByteString.copyFrom(new byte[] {0}))
              .setRangeEnd(ByteString.copyFrom(new byte[] {0})).setCountOnly(true).setSerializable(true)
              .setRevision(revision).build()).getCount();
      HashKVResponse hash = MaintenanceGrpc.newBlockingStub(member).withDeadlineAfter(5, TimeUnit.MINUTES)
          .hashKV(HashKVRequest.newBuilder().setRevision(revision).build());
      return new SnapshotManifest.Contents(keys, Integer.toUnsignedLong(hash.getHash()), hash.getCompactRevision());
    } catch (io.grpc.StatusRuntimeException e) {
      return null;
    }
  }

  /** The upload path alone (a multipart upload stream), for measuring the store apart from etcd. */
  public static OutputStream rawUpload(S3Client s3, String bucket, String key) {
    return new MultipartUploadStream(s3, bucket, key);
  }

  static void deleteQuietly(S3Client s3, String bucket, String key) {
    try {
      s3.deleteObject(r -> r.bucket(bucket).key(key));
    } catch (RuntimeException ignored) {
      // retention or a person cleans up what could not be deleted now
    }
  }
}
