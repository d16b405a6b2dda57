package io.etcdpilot.operator.plan;

/**
 * The one change a pass may make, as a planner decided it. Planners return these (pure); the arbiter picks one per
 * pass; the executor carries it out, switching over {@link #kind()} so that a new kind of step cannot be forgotten.
 */
public sealed interface Step {
  enum Kind {
    NOTHING, WAIT,
    ADD_LEARNER, WIPE_VOLUME, GROW_STATEFULSET, PROMOTE, MOVE_LEADER, REMOVE_MEMBER, SHRINK_STATEFULSET,
    MOVE_LEADER_FOR_RESTART, RESTART_MEMBER, ENABLE_DOWNGRADE, CANCEL_DOWNGRADE,
    COMPACT, MOVE_LEADER_FOR_DEFRAG, DEFRAGMENT, DISARM_NOSPACE, DISARM_CORRUPT, GROW_VOLUMES,
    MOVE_LEADER_OFF_SLOW_DISK
  }

  Kind kind();

  /** Why a member is removed; each is reported differently. */
  enum Cause { SCALE_IN, UNWANTED_LEARNER, LEARNER_FAILED, REPLACE }

  /** Nothing to do for this planner. */
  record Nothing() implements Step {
    public Kind kind() { return Kind.NOTHING; }
  }

  /**
   * Something is under way or unsafe; look again later. {@code othersMayAct}: this planner waits on something that
   * does not make the existing members unsafe to work on (a new member that cannot start, adds stopped until the
   * spec changes), so the next planner may take a step meanwhile.
   */
  record Wait(String reason, boolean othersMayAct) implements Step {
    public Wait(String reason) {
      this(reason, false);
    }

    public Kind kind() { return Kind.WAIT; }
  }

  record AddLearner(int ordinal) implements Step {
    public Kind kind() { return Kind.ADD_LEARNER; }
  }

  /** Delete the ordinal's claim and pod: the StatefulSet recreates both, the volume empty. */
  record WipeVolume(int ordinal, long staleOwner) implements Step {
    public Kind kind() { return Kind.WIPE_VOLUME; }
  }

  record GrowStatefulSet(int replicas) implements Step {
    public Kind kind() { return Kind.GROW_STATEFULSET; }
  }

  record Promote(long id, int ordinal) implements Step {
    public Kind kind() { return Kind.PROMOTE; }
  }

  /** Leadership away from a member about to be removed. */
  record MoveLeader(int fromOrdinal, long toId, int toOrdinal) implements Step {
    public Kind kind() { return Kind.MOVE_LEADER; }
  }

  record RemoveMember(long id, int ordinal, Cause cause, String why) implements Step {
    public Kind kind() { return Kind.REMOVE_MEMBER; }
  }

  record ShrinkStatefulSet(int replicas) implements Step {
    public Kind kind() { return Kind.SHRINK_STATEFULSET; }
  }

  /** Leadership away from the leader before it restarts. */
  record MoveLeaderForRestart(String from, String to, long toId) implements Step {
    public Kind kind() { return Kind.MOVE_LEADER_FOR_RESTART; }
  }

  /** Delete the member's pod so that it starts again with the current template. */
  record RestartMember(String pod) implements Step {
    public Kind kind() { return Kind.RESTART_MEMBER; }
  }

  /** Ask etcd to move the cluster (and storage) version down to a minor ("3.5") before any binary is swapped. */
  record EnableDowngrade(String targetMinor) implements Step {
    public Kind kind() { return Kind.ENABLE_DOWNGRADE; }
  }

  /** Stop the downgrade etcd has enabled: the spec no longer asks for that minor. */
  record CancelDowngrade(String targetMinor) implements Step {
    public Kind kind() { return Kind.CANCEL_DOWNGRADE; }
  }

  /** NOSPACE: compact to the current revision (and wait for the backend to free it) before defragmenting. */
  record Compact() implements Step {
    public Kind kind() { return Kind.COMPACT; }
  }

  /** Leadership away from the leader before it is defragmented: a defragmenting leader stalls every write. */
  record MoveLeaderForDefrag(String from, String to, long toId) implements Step {
    public Kind kind() { return Kind.MOVE_LEADER_FOR_DEFRAG; }
  }

  /** Defragment one member; {@code why} says what the rule or the NOSPACE recovery saw. */
  record Defragment(String member, long id, String why) implements Step {
    public Kind kind() { return Kind.DEFRAGMENT; }
  }

  /** Every member is below the disarm threshold: disarm NOSPACE, writes are taken again. */
  record DisarmNoSpace() implements Step {
    public Kind kind() { return Kind.DISARM_NOSPACE; }
  }

  /** No member's data differ any more (the one that did was removed, or a majority agrees): disarm CORRUPT. */
  record DisarmCorrupt(String why) implements Step {
    public Kind kind() { return Kind.DISARM_CORRUPT; }
  }

  /** Automatic growth: every member's claim asks for {@code size}; the StatefulSet and quota follow once they have it. */
  record GrowVolumes(String size, String why) implements Step {
    public Kind kind() { return Kind.GROW_VOLUMES; }
  }

  /** Leadership away from a leader whose disk is too slow, to a follower whose disk is not. */
  record MoveLeaderOffSlowDisk(String from, String to, long toId, String why) implements Step {
    public Kind kind() { return Kind.MOVE_LEADER_OFF_SLOW_DISK; }
  }
}
