package io.etcdpilot.operator.etcd;

import io.etcd.jetcd.api.AlarmMember;
import io.etcd.jetcd.api.AlarmRequest;
import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.DefragmentRequest;
import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.HashKVResponse;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.Channel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * etcd's maintenance calls: alarms, compaction, defragmentation, hashes; and the status field jetcd 0.8.5's
 * generated StatusResponse lacks (dbSizeInUse, etcd 3.4+).
 */
final class MaintenanceCalls {
  /** StatusResponse (rpc.proto): int64 dbSizeInUse = 9. */
  private static final int DB_SIZE_IN_USE = 9;

  private MaintenanceCalls() {}

  /** Bytes in use; the whole database size when the member does not say (it then counts as all in use). */
  static long dbSizeInUse(StatusResponse status) {
    UnknownFieldSet fields = status.getUnknownFields();
    if (!fields.hasField(DB_SIZE_IN_USE) || fields.getField(DB_SIZE_IN_USE).getVarintList().isEmpty()) {
      return status.getDbSize();
    }
    return fields.getField(DB_SIZE_IN_USE).getVarintList().get(0);
  }

  static List<EtcdAlarm> alarms(Channel channel, Duration timeout) {
    return MaintenanceGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .alarm(AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.GET).build())
        .getAlarmsList().stream().map(MaintenanceCalls::alarm).toList();
  }

  private static EtcdAlarm alarm(AlarmMember m) {
    return new EtcdAlarm(m.getMemberID(), EtcdAlarm.type(m.getAlarmValue()));
  }

  static void disarm(Channel channel, EtcdAlarm alarm, Duration timeout) {
    int type = switch (alarm.type()) {
      case NOSPACE -> 1;
      case CORRUPT -> 2;
      case OTHER -> throw new IllegalArgumentException("not an alarm the operator disarms: " + alarm);
    };
    MaintenanceGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .alarm(AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.DEACTIVATE)
            .setMemberID(alarm.memberId()).setAlarmValue(type).build());
  }

  /** Defragments the member the channel leads to; blocks until etcd is done. */
  static void defragment(Channel channel, Duration timeout) {
    MaintenanceGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .defragment(DefragmentRequest.getDefaultInstance());
  }

  /** The member's database size and bytes in use, as it reports them now. */
  static long[] sizes(Channel channel, Duration timeout) {
    StatusResponse s = MaintenanceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).status(StatusRequest.getDefaultInstance());
    return new long[] {s.getDbSize(), dbSizeInUse(s)};
  }

  /**
   * Compacts every revision before the current one and waits until the compaction is applied to the backend
   * (physical), so the space is free before a defragmentation. Returns the revision compacted to.
   */
  static long compactToCurrent(Channel channel, Duration timeout) {
    // A linearizable count of one key: its header carries the current revision.
    long revision = KVGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("\0")).setLimit(1).setCountOnly(true).build())
        .getHeader().getRevision();
    try {
      KVGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .compact(CompactionRequest.newBuilder().setRevision(revision).setPhysical(true).build());
    } catch (io.grpc.StatusRuntimeException e) {
      // Already compacted to (or past) it, by etcd's own auto-compaction or an earlier pass: nothing more to free.
      if (e.getStatus().getDescription() == null || !e.getStatus().getDescription().contains("compacted")) throw e;
    }
    return revision;
  }

  /** The member's hash of its key-value store at its current revision, with that revision and its compaction. */
  static HashKVResponse hashKv(Channel channel, Duration timeout) {
    return MaintenanceGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .hashKV(HashKVRequest.newBuilder().setRevision(0).build());
  }
}
