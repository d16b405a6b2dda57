package io.etcdpilot.operator.etcd;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.AuthGrpc;
import io.etcd.jetcd.api.AuthenticateRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The calls and fields of etcd's API that version changes need and jetcd 0.8.5's generated types lack: the downgrade
 * call (etcd 3.5+), and the storage version and downgrade state a 3.6+ member adds to its status answer.
 */
final class VersionCalls {
  private static final MethodDescriptor<byte[], byte[]> DOWNGRADE = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName("etcdserverpb.Maintenance/Downgrade")
      .setRequestMarshaller(RawBytes.INSTANCE)
      .setResponseMarshaller(RawBytes.INSTANCE)
      .build();
  /** StatusResponse fields (rpc.proto, etcd 3.6): string storageVersion = 11; DowngradeInfo downgradeInfo = 13. */
  private static final int STORAGE_VERSION = 11;
  private static final int DOWNGRADE_INFO = 13;

  private VersionCalls() {}

  /** The member's storage version; null when it does not report one (before 3.6). */
  static String storageVersion(StatusResponse status) {
    UnknownFieldSet fields = status.getUnknownFields();
    if (!fields.hasField(STORAGE_VERSION) || fields.getField(STORAGE_VERSION).getLengthDelimitedList().isEmpty()) return null;
    String v = fields.getField(STORAGE_VERSION).getLengthDelimitedList().get(0).toStringUtf8();
    return v.isEmpty() ? null : v;
  }

  /** The target of the downgrade etcd has enabled (DowngradeInfo{bool enabled = 1; string targetVersion = 2}); else null. */
  static String downgradeTarget(StatusResponse status) {
    UnknownFieldSet fields = status.getUnknownFields();
    if (!fields.hasField(DOWNGRADE_INFO) || fields.getField(DOWNGRADE_INFO).getLengthDelimitedList().isEmpty()) return null;
    try {
      UnknownFieldSet info = UnknownFieldSet.parseFrom(fields.getField(DOWNGRADE_INFO).getLengthDelimitedList().get(0));
      boolean enabled = info.hasField(1) && info.getField(1).getVarintList().contains(1L);
      if (!enabled || !info.hasField(2) || info.getField(2).getLengthDelimitedList().isEmpty()) return null;
      String target = info.getField(2).getLengthDelimitedList().get(0).toStringUtf8();
      return target.isEmpty() ? null : target;
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  /**
   * DowngradeRequest{DowngradeAction action = 1 (VALIDATE 0, ENABLE 1, CANCEL 2); string version = 2}; returns the
   * cluster version etcd answers with (DowngradeResponse.version = 2).
   */
  static String downgrade(Channel channel, EtcdAdmin.DowngradeAction action, String version, Duration timeout) {
    byte[] answer = ClientCalls.blockingUnaryCall(channel, DOWNGRADE,
        CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS), request(action, version));
    try {
      UnknownFieldSet response = UnknownFieldSet.parseFrom(answer);
      return response.hasField(2) && !response.getField(2).getLengthDelimitedList().isEmpty()
          ? response.getField(2).getLengthDelimitedList().get(0).toStringUtf8() : "";
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("etcd's answer to a downgrade request does not parse", e);
    }
  }

  static byte[] request(EtcdAdmin.DowngradeAction action, String version) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      if (action.ordinal() != 0) out.writeEnum(1, action.ordinal());
      if (version != null && !version.isEmpty()) out.writeBytes(2, ByteString.copyFromUtf8(version));
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether authentication is on, asked in a way every etcd version answers and that changes nothing: logging in with
   * a user that does not exist is refused as "authentication is not enabled" only when it is off.
   */
  static boolean authEnabled(Channel channel, Duration timeout) {
    try {
      AuthGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .authenticate(AuthenticateRequest.newBuilder().setName("etcdpilot-auth-probe-" + UUID.randomUUID())
              .setPassword(UUID.randomUUID().toString()).build());
      return true;
    } catch (StatusRuntimeException e) {
      String message = String.valueOf(e.getStatus().getDescription());
      if (message.contains("authentication is not enabled")) return false;
      if (message.contains("authentication failed") || message.contains("invalid user ID or password")) return true;
      throw e;
    }
  }
}
