package io.etcdpilot.operator.etcd;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * etcd's Cluster.MemberPromote, which jetcd 0.8.5 does not expose (its generated stubs predate learners'
 * promotion). The request is one field, the member ID, so it is encoded by hand.
 */
final class LearnerPromotion {
  private static final MethodDescriptor<byte[], byte[]> PROMOTE = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName("etcdserverpb.Cluster/MemberPromote")
      .setRequestMarshaller(RawBytes.INSTANCE)
      .setResponseMarshaller(RawBytes.INSTANCE)
      .build();

  /** etcd refused because the learner has not caught up with the leader yet. */
  static final class NotYet extends Exception {
    NotYet(String message) {
      super(message);
    }
  }

  private LearnerPromotion() {}

  /** Sends the promotion on a member's channel (kept by {@link EtcdChannels}). */
  static void promote(Channel channel, long memberId, Duration timeout) throws Exception {
    try {
      ClientCalls.blockingUnaryCall(channel, PROMOTE, CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(),
          TimeUnit.MILLISECONDS), request(memberId));
    } catch (StatusRuntimeException e) {
      String msg = String.valueOf(e.getStatus().getDescription());
      if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION || msg.contains("in sync with leader")
          || msg.contains("not in sync")) {
        throw new NotYet(msg);
      }
      throw e;
    }
  }

  /** MemberPromoteRequest { uint64 ID = 1; } */
  static byte[] request(long memberId) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x08);
    long v = memberId;
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
    return out.toByteArray();
  }

}
