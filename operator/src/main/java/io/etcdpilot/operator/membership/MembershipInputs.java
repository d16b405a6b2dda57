package io.etcdpilot.operator.membership;

import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.ObservedMember;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.PodFacts;
import io.etcdpilot.operator.model.SlowDisks;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * From what etcd, the pods and the claims say to what {@link MembershipPlanner} decides on, and the bookkeeping that
 * follows from it (the join list, whose data each volume holds). Pure: it reads objects, it writes none.
 */
public final class MembershipInputs {
  /** On a member's data claim: the etcd member ID (hex) whose data the volume holds. */
  public static final String VOLUME_OWNER_LABEL = "etcdpilot.io/member-id";
  /** What etcd says when it starts without data and is not in the join list: its data is gone. */
  private static final List<String> DATA_LOST_SIGNS = List.of("couldn't find local name", "member count is unequal");
  /** What etcd says when its initial corruption check finds its data differ from its peers'. */
  private static final List<String> DATA_CORRUPT_SIGNS = List.of("found data inconsistency with peers");

  private MembershipInputs() {}

  /**
   * @param learnerSince when the current learner was added, as the last written status says (now when unknown)
   * @param addsStopped why no learner may be added (a learner failed under this spec); null when adds are allowed
   */
  public static MembershipPlanner.Observed observed(ClusterNames names, int desired, int statefulSetReplicas,
      ClusterObservation observation, List<Pod> pods, List<PersistentVolumeClaim> claims, Instant learnerSince,
      String addsStopped) {
    return observed(names, desired, statefulSetReplicas, observation, pods, claims, learnerSince, addsStopped, Set.of());
  }

  /**
   * @param heldByRoll member pods the rolling restart is responsible for while they are down (see
   *     {@code UpgradeProgress.held}): never counted as failed members
   */
  public static MembershipPlanner.Observed observed(ClusterNames names, int desired, int statefulSetReplicas,
      ClusterObservation observation, List<Pod> pods, List<PersistentVolumeClaim> claims, Instant learnerSince,
      String addsStopped, Set<String> heldByRoll) {
    List<MembershipPlanner.Member> members = observation.members().stream().map(m -> new MembershipPlanner.Member(
        m.id(), ordinalOf(names, m), m.learner(), m.started(), observation.inQuorum(m),
        observation.corruption().decided() && observation.corruption().corrupt().contains(m.id()),
        SlowDisks.of(observation.walFsyncP99()).contains(m.id()))).toList();
    int leader = observation.leader().map(m -> ordinalOf(names, m)).orElse(-1);
    return new MembershipPlanner.Observed(desired, statefulSetReplicas, members, leader, learnerSince,
        slots(names, pods, claims, observation, heldByRoll), addsStopped);
  }

  /** The join list etcd's member list gives, plus a member about to be added. */
  public static String joinList(ClusterNames names, ClusterObservation observation, List<JoinList.Entry> adding) {
    List<JoinList.Entry> entries = new ArrayList<>();
    for (ObservedMember m : observation.members()) {
      int ordinal = ordinalOf(names, m);
      if (ordinal < 0 || m.peerUrls().isEmpty()) continue;
      entries.add(new JoinList.Entry(names.member(ordinal), m.peerUrls().get(0), m.learner() || m.neverStarted()));
    }
    entries.addAll(adding);
    return JoinList.of(entries);
  }

  /**
   * Which claims should name another member as the owner of their data: a voter's claim names that voter. A learner
   * never relabels a claim: if the label names a removed member, the planner wipes the volume first.
   * @return claim name to the owner label it should carry
   */
  public static Map<String, String> ownerLabels(ClusterNames names, ClusterObservation observation,
      List<PersistentVolumeClaim> claims) {
    Map<Integer, PersistentVolumeClaim> byOrdinal = byOrdinal(names, claims);
    Map<String, String> relabel = new HashMap<>();
    for (ObservedMember m : observation.members()) {
      PersistentVolumeClaim c = byOrdinal.get(ordinalOf(names, m));
      if (c == null || c.getMetadata().getDeletionTimestamp() != null) continue;
      String label = owner(c);
      if (m.idHex().equals(label) || (label != null && m.learner())) continue;
      relabel.put(c.getMetadata().getName(), m.idHex());
    }
    return relabel;
  }

  /** Each ordinal's volume and pod as the planner sees them, owner labels as {@link #ownerLabels} makes them. */
  static Map<Integer, MembershipPlanner.Slot> slots(ClusterNames names, List<Pod> pods,
      List<PersistentVolumeClaim> claims, ClusterObservation observation, Set<String> heldByRoll) {
    Map<Integer, PersistentVolumeClaim> byOrdinal = byOrdinal(names, claims);
    Map<String, String> relabel = ownerLabels(names, observation, claims);
    Map<String, Pod> podByName = new HashMap<>();
    pods.forEach(p -> podByName.put(p.getMetadata().getName(), p));
    Set<Integer> ordinals = new TreeSet<>(byOrdinal.keySet());
    for (Pod p : pods) ordinals.add(PodFacts.ordinal(p));
    Map<Integer, MembershipPlanner.Slot> slots = new HashMap<>();
    for (int i : ordinals) {
      PersistentVolumeClaim c = byOrdinal.get(i);
      String label = c == null ? null : relabel.getOrDefault(c.getMetadata().getName(), owner(c));
      Pod pod = podByName.get(names.member(i));
      String cannotStart = pod == null ? null : PodFacts.startProblem(pod).orElse(null);
      slots.put(i, new MembershipPlanner.Slot(i, memberId(label), pod != null && lastExitSays(pod, DATA_LOST_SIGNS),
          pod == null || heldByRoll.contains(pod.getMetadata().getName()) ? null : PodFacts.notReadySince(pod),
          pod != null && PodFacts.ready(pod), cannotStart,
          cannotStart == null ? null : PodFacts.startProblemSince(pod),
          pod != null && lastExitSays(pod, DATA_CORRUPT_SIGNS)));
    }
    return slots;
  }

  /** The pod's last exit was etcd refusing to start without data for a member that still exists. */
  public static boolean dataLost(Pod pod) {
    return lastExitSays(pod, DATA_LOST_SIGNS);
  }

  /**
   * As {@link #dataLost}, and also a member that starts on an empty volume and finds no peer to learn the cluster
   * from: what every member says once all their volumes are gone. Only for a cluster without quorum (a member still
   * joining says the same while its peers are briefly unreachable).
   */
  public static boolean dataLostWithoutQuorum(Pod pod) {
    return lastExitSays(pod, DATA_LOST_SIGNS) || lastExitSays(pod, List.of("cannot fetch cluster info from peer urls"));
  }

  /** The pod is not ready and its container's last exit message says one of {@code signs}. */
  private static boolean lastExitSays(Pod pod, List<String> signs) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) return false;
    for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
      if (cs.getLastState() == null || cs.getLastState().getTerminated() == null) continue;
      String message = cs.getLastState().getTerminated().getMessage();
      if (message != null && !Boolean.TRUE.equals(cs.getReady()) && signs.stream().anyMatch(message::contains)) {
        return true;
      }
    }
    return false;
  }

  /** The ordinal of a member, from the pod name in its peer URL; -1 when it is not one of ours. */
  public static int ordinalOf(ClusterNames names, ObservedMember m) {
    String host = m.peerUrls().isEmpty() ? "" : URI.create(m.peerUrls().get(0)).getHost();
    String prefix = names.cluster() + "-";
    if (host == null || !host.startsWith(prefix)) return -1;
    String rest = host.substring(prefix.length());
    int dot = rest.indexOf('.');
    try {
      return Integer.parseInt(dot < 0 ? rest : rest.substring(0, dot));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public static Map<Integer, PersistentVolumeClaim> byOrdinal(ClusterNames names, List<PersistentVolumeClaim> claims) {
    Map<Integer, PersistentVolumeClaim> out = new HashMap<>();
    for (PersistentVolumeClaim c : claims) claimOrdinal(names, c.getMetadata().getName()).ifPresent(i -> out.put(i, c));
    return out;
  }

  private static Optional<Integer> claimOrdinal(ClusterNames names, String claim) {
    String prefix = names.dataClaim(0).substring(0, names.dataClaim(0).length() - 1);
    if (!claim.startsWith(prefix)) return Optional.empty();
    try {
      return Optional.of(Integer.parseInt(claim.substring(prefix.length())));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String owner(PersistentVolumeClaim c) {
    return c.getMetadata().getLabels() == null ? null : c.getMetadata().getLabels().get(VOLUME_OWNER_LABEL);
  }

  /** A member ID from a claim label; null when absent or not an ID (edited by hand): treated as never used. */
  private static Long memberId(String label) {
    if (label == null) return null;
    try {
      return Long.parseUnsignedLong(label, 16);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
