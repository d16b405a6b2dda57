package io.etcdpilot.operator.snapshot;

import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.ObservedMember;
import io.etcdpilot.operator.model.Quorum;
import io.etcdpilot.operator.rollout.RolloutPlanner;
import java.util.Comparator;
import java.util.List;

/**
 * Which members a snapshot may stream from, in the order to try them: from an observation made for this snapshot
 * (never the last written status, which may name a member that has just gone down), healthy followers caught up with
 * the leader first (a follower spares the leader), the leader last; never a learner; only while the cluster has
 * quorum and a leader. Pure.
 */
public final class SnapshotSource {
  private SnapshotSource() {}

  /**
   * @param member the member the snapshot is to come from whatever the quorum (null: chosen here, with quorum)
   * @throws SnapshotTaker.Refused saying why no member may be asked
   */
  public static List<ObservedMember> candidates(String cluster, ClusterObservation seen, String member)
      throws SnapshotTaker.Refused {
    if (member != null && !member.isBlank()) {
      // A member serves its own snapshot without a leader: what survives a lost quorum can still be saved.
      return seen.members().stream().filter(m -> member.equals(m.name()) && m.reachable()).findFirst().map(List::of)
          .orElseThrow(() -> new SnapshotTaker.Refused("member " + member + " of EtcdCluster " + cluster
              + " does not answer: no snapshot from it now"));
    }
    return candidates(cluster, seen);
  }

  /** @throws SnapshotTaker.Refused saying why no member may be asked */
  public static List<ObservedMember> candidates(String cluster, ClusterObservation seen) throws SnapshotTaker.Refused {
    if (!seen.reachable()) {
      throw new SnapshotTaker.Refused("EtcdCluster " + cluster + " does not answer (" + seen.error() + "): no snapshot now");
    }
    List<ObservedMember> voters = seen.members().stream().filter(m -> !m.learner()).toList();
    long healthy = voters.stream().filter(seen::inQuorum).count();
    ObservedMember leader = seen.leader().orElse(null);
    if (leader == null || healthy < Quorum.of(voters.size())) {
      throw new SnapshotTaker.Refused("EtcdCluster " + cluster + " has no quorum (" + healthy + " of " + voters.size()
          + " voting members healthy" + (leader == null ? ", no leader" : "") + "): no snapshot now");
    }
    long leaderIndex = leader.raftIndex();
    List<ObservedMember> followers = voters.stream()
        .filter(m -> seen.inQuorum(m) && m.started() && m.id() != leader.id())
        .filter(m -> leaderIndex - m.raftIndex() <= RolloutPlanner.MAX_RAFT_LAG)
        .sorted(Comparator.comparing(ObservedMember::name)).toList();
    return java.util.stream.Stream.concat(followers.stream(), java.util.stream.Stream.of(leader)).toList();
  }
}
