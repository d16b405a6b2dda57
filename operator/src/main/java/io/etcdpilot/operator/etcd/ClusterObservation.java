package io.etcdpilot.operator.etcd;

import java.util.List;
import java.util.Optional;

/** What the operator could see of one etcd cluster in one reconcile. */
public record ClusterObservation(boolean reachable, long clusterId, List<ObservedMember> members, String error) {

  public static ClusterObservation unreachable(String error) {
    return new ClusterObservation(false, 0, List.of(), error);
  }

  /** The leader as most reachable members report it; empty when nobody reports one. */
  public Optional<ObservedMember> leader() {
    return members.stream()
        .filter(ObservedMember::reachable)
        .map(ObservedMember::leaderId)
        .filter(id -> id != 0)
        .findFirst()
        .flatMap(id -> members.stream().filter(m -> m.id() == id).findFirst());
  }

  public String clusterIdHex() {
    return clusterId == 0 ? null : Long.toHexString(clusterId);
  }
}
