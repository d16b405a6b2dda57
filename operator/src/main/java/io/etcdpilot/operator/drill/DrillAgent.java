package io.etcdpilot.operator.drill;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.HashKVResponse;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.etcdpilot.operator.model.RestoreSteps;
import io.etcdpilot.operator.snapshot.SnapshotManifest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The operator's image run as a drill pod's {@code check} container: waits for the drill's own etcd (serving the
 * restored copy on the pod's address), asks it for its revision, the key count and the KV hash at the snapshot's
 * revision, and judges them against the manifest ({@link DrillCheck}). Exit 0: passed; 1: failed, the reason as the
 * last line (the pod's termination message).
 */
public final class DrillAgent {
  public static final String MAIN = "io.etcdpilot.operator.drill.DrillAgent";
  public static final String ENV_ENDPOINT = "DRILL_ENDPOINT";
  /** The check container's termination message (on the scratch volume): the verdict, passed or not. */
  public static final String MESSAGE_FILE = "/var/lib/etcd/drill-verdict";
  /** How long the restored etcd may take to answer (a large database replays its WAL). */
  static final Duration STARTUP = Duration.ofMinutes(10);

  private DrillAgent() {}

  public static void main(String[] args) {
    try {
      SnapshotManifest manifest = SnapshotManifest.fromJson(Files.readString(Path.of(RestoreSteps.MANIFEST_FILE)));
      DrillCheck.Verdict verdict = check(manifest, System.getenv(ENV_ENDPOINT), STARTUP);
      exit(verdict.passed(), (verdict.passed() ? "drill passed: " : "drill failed: ") + verdict.message());
    } catch (Exception e) {
      exit(false, "drill failed: " + e.getMessage());
    }
  }

  private static void exit(boolean passed, String line) {
    System.out.println(line);
    try {
      Files.writeString(Path.of(MESSAGE_FILE), line);
    } catch (java.io.IOException e) {
      System.out.println("cannot write the termination message: " + e.getMessage());
    }
    System.exit(passed ? 0 : 1);
  }

  /** Asks the restored etcd at {@code endpoint} (http://host:port) and judges its answers. */
  public static DrillCheck.Verdict check(SnapshotManifest manifest, String endpoint, Duration startup)
      throws InterruptedException {
    URI uri = URI.create(endpoint);
    ManagedChannel channel = NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort()).usePlaintext().build();
    try {
      long revision = awaitRevision(channel, startup);
      Long keys;
      try {
        keys = KVGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.MINUTES)
            .range(RangeRequest.newBuilder().setKey(ByteString.copyFrom(new byte[] {0}))
                .setRangeEnd(ByteString.copyFrom(new byte[] {0})).setCountOnly(true).setSerializable(true)
                .setRevision(manifest.revision()).build()).getCount();
      } catch (StatusRuntimeException e) {
        if (!compacted(e)) throw e;
        keys = null;
      }
      Long hash = null;
      long compactRevision = -1;
      try {
        HashKVResponse h = MaintenanceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.MINUTES)
            .hashKV(HashKVRequest.newBuilder().setRevision(manifest.revision()).build());
        hash = Integer.toUnsignedLong(h.getHash());
        compactRevision = h.getCompactRevision();
      } catch (StatusRuntimeException e) {
        if (!compacted(e)) throw e;
      }
      return DrillCheck.judge(manifest, new DrillCheck.Restored(revision, keys, hash, compactRevision));
    } finally {
      channel.shutdownNow();
    }
  }

  private static long awaitRevision(ManagedChannel channel, Duration startup) throws InterruptedException {
    Instant until = Instant.now().plus(startup);
    while (true) {
      try {
        return KVGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
            .range(RangeRequest.newBuilder().setKey(ByteString.copyFrom(new byte[] {0})).setCountOnly(true)
                .setSerializable(true).build()).getHeader().getRevision();
      } catch (StatusRuntimeException e) {
        if (Instant.now().isAfter(until)) {
          throw new IllegalStateException("the restored etcd did not answer within " + startup.toMinutes()
              + " minutes: " + e.getStatus());
        }
        Thread.sleep(500);
      }
    }
  }

  private static boolean compacted(StatusRuntimeException e) {
    return e.getStatus().getCode() == Status.Code.OUT_OF_RANGE
        || String.valueOf(e.getStatus().getDescription()).contains("compacted");
  }
}
