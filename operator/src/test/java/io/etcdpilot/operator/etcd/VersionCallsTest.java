package io.etcdpilot.operator.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.StatusResponse;
import org.junit.jupiter.api.Test;

/** The hand-encoded parts of etcd's protocol, against rpc.proto's field numbers. */
class VersionCallsTest {
  @Test
  void downgradeRequestsCarryTheActionAndTheTarget() {
    // action = 1 (varint ENABLE = 1), version = 2 ("3.5")
    assertThat(VersionCalls.request(EtcdAdmin.DowngradeAction.ENABLE, "3.5"))
        .containsExactly(0x08, 0x01, 0x12, 0x03, '3', '.', '5');
    // VALIDATE is the enum's zero: proto3 leaves it out
    assertThat(VersionCalls.request(EtcdAdmin.DowngradeAction.VALIDATE, "3.5")).containsExactly(0x12, 0x03, '3', '.', '5');
    assertThat(VersionCalls.request(EtcdAdmin.DowngradeAction.CANCEL, "")).containsExactly(0x08, 0x02);
  }

  @Test
  void readsStorageVersionAndDowngradeStateFromAThreeSixStatus() {
    UnknownFieldSet downgradeInfo = UnknownFieldSet.newBuilder()
        .addField(1, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
        .addField(2, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("3.5.0")).build())
        .build();
    StatusResponse status = StatusResponse.newBuilder().setVersion("3.6.16").setUnknownFields(UnknownFieldSet.newBuilder()
        .addField(11, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("3.6.0")).build())
        .addField(13, UnknownFieldSet.Field.newBuilder().addLengthDelimited(downgradeInfo.toByteString()).build())
        .build()).build();
    // Through the wire, as jetcd's stub parses it.
    StatusResponse parsed = parse(status.toByteArray());
    assertThat(VersionCalls.storageVersion(parsed)).isEqualTo("3.6.0");
    assertThat(VersionCalls.downgradeTarget(parsed)).isEqualTo("3.5.0");

    UnknownFieldSet disabled = UnknownFieldSet.newBuilder()
        .addField(2, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("3.5.0")).build())
        .build();
    StatusResponse notEnabled = parse(StatusResponse.newBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
        .addField(13, UnknownFieldSet.Field.newBuilder().addLengthDelimited(disabled.toByteString()).build()).build())
        .build().toByteArray());
    assertThat(VersionCalls.downgradeTarget(notEnabled)).isNull();
    // A 3.5 member sends neither.
    StatusResponse old = parse(StatusResponse.newBuilder().setVersion("3.5.35").build().toByteArray());
    assertThat(VersionCalls.storageVersion(old)).isNull();
    assertThat(VersionCalls.downgradeTarget(old)).isNull();
  }

  private static StatusResponse parse(byte[] bytes) {
    try {
      return StatusResponse.parseFrom(bytes);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}
