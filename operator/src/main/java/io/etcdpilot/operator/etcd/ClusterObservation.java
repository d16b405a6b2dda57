package io.etcdpilot.operator.etcd;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What the operator could see of one etcd cluster in one reconcile.
 *
 * @param listAgreed whether the member list can decide a membership step: linearizable, or (etcd 3.4) the same list
 *     from a majority of its voters; false when the members answering disagree
 * @param alarms the alarms etcd has raised (NOSPACE, CORRUPT); empty when none or when they could not be read
 * @param corruption whose data differ while CORRUPT is raised ({@link Corruption#NONE} when it is not)
 * @param walFsyncP99 each member's WAL fsync p99 in milliseconds, by member ID, where known
 */
public record ClusterObservation(boolean reachable, long clusterId, List<ObservedMember> members, String error,
    boolean listAgreed, List<EtcdAlarm> alarms, Corruption corruption, Map<Long, Double> walFsyncP99) {

  public ClusterObservation(boolean reachable, long clusterId, List<ObservedMember> members, String error) {
    this(reachable, clusterId, members, error, true);
  }

  public ClusterObservation(boolean reachable, long clusterId, List<ObservedMember> members, String error,
      boolean listAgreed) {
    this(reachable, clusterId, members, error, listAgreed, List.of(), Corruption.NONE, Map.of());
  }

  public ClusterObservation withAlarms(List<EtcdAlarm> raised) {
    return new ClusterObservation(reachable, clusterId, members, error, listAgreed, List.copyOf(raised), corruption,
        walFsyncP99);
  }

  public ClusterObservation withCorruption(Corruption judged) {
    return new ClusterObservation(reachable, clusterId, members, error, listAgreed, alarms, judged, walFsyncP99);
  }

  public ClusterObservation withDiskLatency(Map<Long, Double> p99Millis) {
    return new ClusterObservation(reachable, clusterId, members, error, listAgreed, alarms, corruption,
        Map.copyOf(p99Millis));
  }

  public boolean alarmed(EtcdAlarm.Type type) {
    return alarms.stream().anyMatch(a -> a.type() == type);
  }

  public static ClusterObservation unreachable(String error) {
    return new ClusterObservation(false, 0, List.of(), error);
  }

  /**
   * The leader a majority of the reachable voters agree on at the highest term any of them reports. Empty when there
   * is no such agreement (an election, a partition, members lagging): callers then wait rather than act on one
   * member's stale opinion, e.g. restart the real leader as if it were a follower.
   */
  public Optional<ObservedMember> leader() {
    List<ObservedMember> voters = members.stream().filter(m -> m.reachable() && !m.learner()).toList();
    long term = voters.stream().mapToLong(ObservedMember::raftTerm).max().orElse(0);
    Map<Long, Long> votes = voters.stream().filter(m -> m.raftTerm() == term && m.leaderId() != 0)
        .collect(Collectors.groupingBy(ObservedMember::leaderId, Collectors.counting()));
    return votes.entrySet().stream().filter(e -> e.getValue() * 2 > voters.size()).map(Map.Entry::getKey).findFirst()
        .flatMap(id -> members.stream().filter(m -> m.id() == id).findFirst());
  }

  /**
   * Whether the member takes part in the cluster's quorum: it answers and follows the agreed leader (or is it). A
   * member cut off from its peers still answers its own status, and must count as down: a roll or a removal that
   * counted it would take the cluster below quorum.
   */
  public boolean inQuorum(ObservedMember m) {
    if (!m.reachable()) return false;
    Optional<ObservedMember> leader = leader();
    return leader.isPresent() && (leader.get().id() == m.id() || m.leaderId() == leader.get().id());
  }

  public String clusterIdHex() {
    return clusterId == 0 ? null : Long.toHexString(clusterId);
  }
}
