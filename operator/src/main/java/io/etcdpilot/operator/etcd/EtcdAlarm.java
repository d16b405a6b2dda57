package io.etcdpilot.operator.etcd;

/**
 * An alarm etcd raised. NOSPACE: a member's database reached the quota; the cluster takes no more writes until the
 * alarm is disarmed. CORRUPT: members' data differ; {@code memberId} is 0 when etcd could not tell whose (3.5).
 */
public record EtcdAlarm(long memberId, Type type) {
  public enum Type { NOSPACE, CORRUPT, OTHER }

  /** From etcd's AlarmType number (rpc.proto: NONE 0, NOSPACE 1, CORRUPT 2). */
  public static Type type(int number) {
    return switch (number) {
      case 1 -> Type.NOSPACE;
      case 2 -> Type.CORRUPT;
      default -> Type.OTHER;
    };
  }

  public String memberHex() {
    return Long.toHexString(memberId);
  }
}
