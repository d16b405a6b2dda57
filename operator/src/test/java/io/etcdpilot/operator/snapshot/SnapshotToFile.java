package io.etcdpilot.operator.snapshot;

import io.etcdpilot.operator.api.v1alpha1.S3Destination;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.net.URI;

/**
 * Runs the operator's snapshot code on its own, in a JVM of its own (the IT starts it with a small heap):
 * {@code <member client URL> <S3 endpoint> <bucket> <key prefix> <compression>}; prints the stored result.
 */
public final class SnapshotToFile {
  public static void main(String[] args) throws Exception {
    URI member = URI.create(args[0]);
    S3Destination d = new S3Destination();
    d.setEndpoint(args[1]);
    d.setRegion("us-east-1");
    d.setBucket(args[2]);
    d.setPrefix(args[3]);
    d.setForcePathStyle(true);
    ManagedChannel channel = NettyChannelBuilder.forAddress(member.getHost(), member.getPort()).usePlaintext().build();
    try (var s3 = ObjectStore.client(d, new ObjectStore.Credentials(LocalS3.ACCESS_KEY, LocalS3.SECRET_KEY, null), null)) {
      SnapshotStreamer.Stored stored = SnapshotStreamer.stream(channel, new SnapshotStreamer.Target(s3, args[2],
          new SnapshotKeys("default", "it", "c-uid", "big", "s-uid").dataKey(d, args[4], false),
          new SnapshotKeys("default", "it", "c-uid", "big", "s-uid").manifestKey(d), args[4], null),
          new SnapshotStreamer.Origin("it", "default", "1", "1", "1", "3.4", "m1", "2026-12-01T00:00:00Z", false));
      Runtime rt = Runtime.getRuntime();
      System.out.println("stored " + stored.dbSize() + " " + stored.storedSize() + " " + stored.revision() + " "
          + stored.sha256() + " maxHeap " + rt.maxMemory());
    } finally {
      channel.shutdownNow();
    }
  }
}
