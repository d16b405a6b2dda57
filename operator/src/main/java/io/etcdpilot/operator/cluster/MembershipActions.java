package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.MemberFailure;
import io.etcdpilot.operator.api.v1alpha1.Operation;
import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.EtcdAdmin;
import io.etcdpilot.operator.etcd.EtcdConnection;
import io.etcdpilot.operator.etcd.ObservedMember;
import io.etcdpilot.operator.membership.JoinList;
import io.etcdpilot.operator.membership.MembershipPlanner;
import io.etcdpilot.operator.membership.MembershipPlanner.AddLearner;
import io.etcdpilot.operator.membership.MembershipPlanner.Cause;
import io.etcdpilot.operator.membership.MembershipPlanner.GrowStatefulSet;
import io.etcdpilot.operator.membership.MembershipPlanner.MoveLeader;
import io.etcdpilot.operator.membership.MembershipPlanner.Promote;
import io.etcdpilot.operator.membership.MembershipPlanner.RemoveMember;
import io.etcdpilot.operator.membership.MembershipPlanner.ShrinkStatefulSet;
import io.etcdpilot.operator.membership.MembershipPlanner.Slot;
import io.etcdpilot.operator.membership.MembershipPlanner.Wait;
import io.etcdpilot.operator.membership.MembershipPlanner.WipeVolume;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.ClusterObjects;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out membership for one reconcile: keeps the join list and the volume ownership labels true to
 * etcd's member list, asks the planner for the single next step and does it. Everything it needs is
 * re-derived from etcd, the pods and the claims each time, so a restarted operator picks up where it was.
 */
final class MembershipActions {
  private static final Logger log = LoggerFactory.getLogger(MembershipActions.class);
  /** On a member's data claim: the etcd member ID (hex) whose data the volume holds. */
  static final String VOLUME_OWNER_LABEL = "etcdpilot.io/member-id";
  /** What etcd says when it starts without data and is not in the join list: its data is gone. */
  private static final List<String> DATA_LOST_SIGNS = List.of("couldn't find local name", "member count is unequal");

  private static final long WIPE_GRACE_SECONDS = 5;

  private final KubernetesClient client;
  private final EtcdAdmin admin;
  private final ObjectApplier applier;
  private final EventRecorder events;
  private final MembershipPlanner planner;

  MembershipActions(KubernetesClient client, EtcdAdmin admin, ObjectApplier applier, EventRecorder events,
      MembershipPlanner planner) {
    this.client = client;
    this.admin = admin;
    this.applier = applier;
    this.events = events;
    this.planner = planner;
  }

  /** The step taken or waited on (null when membership is as the spec asks) and the last failed member. */
  record Result(Operation operation, MemberFailure failure) {}

  /** The parts of one reconcile's view that membership works from. */
  record View(EtcdCluster cluster, ClusterObjects objects, ClusterState state, StatefulSet statefulSet,
      StatefulSet desiredStatefulSet, ConfigMap stateConfigMap, String publishedJoinList, ClusterObservation observation,
      EtcdConnection connection, List<String> clientUrls, KubeCache cache) {
    List<Pod> pods() {
      return state.pods();
    }
  }

  Result step(View v, Instant now) {
    EtcdCluster cluster = v.cluster();
    ClusterNames names = v.objects().names();
    String ns = cluster.getMetadata().getNamespace();
    MemberFailure failure = cluster.getStatus() == null ? null : cluster.getStatus().getMemberFailure();

    ConfigMap published = publishJoinList(v, v.stateConfigMap(), v.publishedJoinList(), List.of());
    Map<Integer, PersistentVolumeClaim> claims = labelClaims(v);

    List<MembershipPlanner.Member> members = v.observation().members().stream().map(m -> new MembershipPlanner.Member(
        m.id(), ordinalOf(names, m), m.learner(), m.started(), m.reachable())).toList();
    int leader = v.observation().leader().map(m -> ordinalOf(names, m)).orElse(-1);
    Operation previous = cluster.getStatus() == null ? null : cluster.getStatus().getOperation();
    Instant learnerSince = previous != null && "AddMember".equals(previous.getType()) && previous.getStarted() != null
        ? Instant.parse(previous.getStarted()) : now;
    boolean failedUnderThisSpec = failure != null
        && java.util.Objects.equals(failure.getGeneration(), cluster.getMetadata().getGeneration());
    var step = planner.next(new MembershipPlanner.Observed(v.objects().replicas(),
        v.statefulSet().getSpec().getReplicas(), members, leader, learnerSince, slots(names, v.pods(), claims),
        failedUnderThisSpec ? failure.getMember() + " failed to join" : null), now);

    try {
      if (step instanceof AddLearner a) {
        String member = names.member(a.ordinal());
        String peerUrl = names.peerUrl(member, v.objects().tls());
        // The new member must find itself and every current member in its join list when it starts.
        publishJoinList(v, published, joinList(published, v.publishedJoinList()),
            List.of(new JoinList.Entry(member, peerUrl, true)));
        long id = admin.addLearner(v.connection(), v.clientUrls(), peerUrl);
        CrashPoints.after("add-learner");
        events.normal(cluster, "MemberAdded", "added " + member + " (" + Long.toHexString(id) + ") as a learner");
        return new Result(Operations.next(cluster, "AddMember", member, "learner added; starting its pod", now, true), failure);
      }
      if (step instanceof WipeVolume w) {
        wipe(v, w, claims.get(w.ordinal()));
        return new Result(Operations.next(cluster, "AddMember", names.member(w.ordinal()),
            "emptying the volume of removed member " + Long.toHexString(w.staleOwner()), now, false), failure);
      }
      if (step instanceof GrowStatefulSet g) {
        resize(v, g.replicas());
        return new Result(Operations.next(cluster, "AddMember", names.member(g.replicas() - 1), "starting the learner's pod",
            now, false), failure);
      }
      if (step instanceof Promote p) {
        if (admin.promote(v.connection(), v.clientUrls(), p.id())) {
          CrashPoints.after("promote");
          events.normal(cluster, "MemberPromoted", names.member(p.ordinal()) + " caught up and is now a voting member");
          return new Result(Operations.next(cluster, "AddMember", names.member(p.ordinal()), "promoted", now, false), failure);
        }
        return new Result(Operations.next(cluster, "AddMember", names.member(p.ordinal()),
            "learner catching up with the leader", now, false), failure);
      }
      if (step instanceof MoveLeader m) {
        String url = names.clientUrl(names.member(m.fromOrdinal()), v.objects().tls());
        admin.moveLeader(v.connection(), url, m.toId());
        events.normal(cluster, "LeadershipMoved", "moved leadership from " + names.member(m.fromOrdinal()) + " to "
            + names.member(m.toOrdinal()) + " before removing " + names.member(m.fromOrdinal()));
        return new Result(Operations.next(cluster, "RemoveMember", names.member(m.fromOrdinal()), "moving leadership away",
            now, false), failure);
      }
      if (step instanceof RemoveMember r) {
        String member = names.member(r.ordinal());
        String podState = r.cause() == Cause.LEARNER_FAILED ? podState(v.pods(), member) : "";
        if (r.cause() == Cause.REPLACE) {
          events.warning(cluster, "ReplacingMember", r.why() + ": removing " + member
              + " from etcd, then adding it back as a learner on an empty volume");
        }
        admin.removeMember(v.connection(), v.clientUrls(), r.id());
        CrashPoints.after("remove-member");
        events.normal(cluster, "MemberRemoved", "removed " + member + ": " + r.why());
        if (r.cause() == Cause.LEARNER_FAILED) {
          String message = r.why() + podState;
          events.warning(cluster, "LearnerFailed", message + "; not adding members until the spec changes");
          failure = new MemberFailure(member, message, now.truncatedTo(ChronoUnit.SECONDS).toString(),
              cluster.getMetadata().getGeneration());
        }
        String type = r.cause() == Cause.REPLACE ? "ReplaceMember" : "RemoveMember";
        return new Result(Operations.next(cluster, type, member, r.why(), now, false), failure);
      }
      if (step instanceof ShrinkStatefulSet sh) {
        resize(v, sh.replicas());
        events.normal(cluster, "StatefulSetResized", "StatefulSet " + names.statefulSet() + " now has " + sh.replicas()
            + " members");
        return new Result(Operations.next(cluster, "RemoveMember", names.member(sh.replicas()), "shrinking the StatefulSet",
            now, false), failure);
      }
      if (step instanceof Wait w) {
        return new Result(Operations.next(cluster, waitType(v), "waiting", w.reason(), now, false), failure);
      }
    } catch (Exception e) {
      // etcd refusing a change (e.g. "unhealthy cluster" within 5 s of a restart) is "not yet": try again soon.
      log.info("membership step {} for {}/{} not done yet: {}", step, ns, names.cluster(), e.toString());
      return new Result(Operations.next(cluster, waitType(v), "waiting", "etcd refused: " + rootMessage(e), now, false),
          failure);
    }
    return new Result(null, failure);
  }

  private static String waitType(View v) {
    long voters = v.observation().members().stream().filter(m -> !m.learner()).count();
    int desired = v.objects().replicas();
    return desired > voters ? "AddMember" : desired < voters ? "RemoveMember" : "ReplaceMember";
  }

  /**
   * Publishes the join list derived from etcd's member list (plus a member about to be added). Written only
   * when it changes; the state stays {@code existing}.
   */
  private ConfigMap publishJoinList(View v, ConfigMap live, String publishedList, List<JoinList.Entry> adding) {
    ClusterNames names = v.objects().names();
    List<JoinList.Entry> entries = new ArrayList<>();
    for (ObservedMember m : v.observation().members()) {
      int ordinal = ordinalOf(names, m);
      if (ordinal < 0 || m.peerUrls().isEmpty()) continue;
      entries.add(new JoinList.Entry(names.member(ordinal), m.peerUrls().get(0), m.learner() || m.neverStarted()));
    }
    entries.addAll(adding);
    String list = JoinList.of(entries);
    if (list.equals(publishedList)) return live;
    return applier.apply(v.objects().stateConfigMap(ClusterObjects.STATE_EXISTING, list), live, v.cache()).object();
  }

  private static String joinList(ConfigMap cm, String fallback) {
    return cm == null || cm.getData() == null ? fallback
        : cm.getData().getOrDefault(ClusterObjects.INITIAL_CLUSTER_KEY, fallback);
  }

  /**
   * Records on each member's claim whose data it holds, so that once that member is gone the volume is known
   * to be stale. A learner never relabels a claim: if the label names a removed member, the planner wipes it.
   */
  private Map<Integer, PersistentVolumeClaim> labelClaims(View v) {
    ClusterNames names = v.objects().names();
    String ns = v.cluster().getMetadata().getNamespace();
    Map<Integer, PersistentVolumeClaim> byOrdinal = new HashMap<>();
    for (PersistentVolumeClaim c : v.state().claims()) {
      claimOrdinal(names, c.getMetadata().getName()).ifPresent(i -> byOrdinal.put(i, c));
    }
    for (ObservedMember m : v.observation().members()) {
      int ordinal = ordinalOf(names, m);
      PersistentVolumeClaim c = byOrdinal.get(ordinal);
      if (c == null || c.getMetadata().getDeletionTimestamp() != null) continue;
      String label = c.getMetadata().getLabels() == null ? null : c.getMetadata().getLabels().get(VOLUME_OWNER_LABEL);
      if (m.idHex().equals(label) || (label != null && m.learner())) continue;
      String patch = "{\"metadata\":{\"labels\":{\"" + VOLUME_OWNER_LABEL + "\":\"" + m.idHex() + "\"}}}";
      PersistentVolumeClaim labelled = client.persistentVolumeClaims().inNamespace(ns).withName(c.getMetadata().getName())
          .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
              io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), patch);
      v.cache().updated(labelled, c);
      byOrdinal.put(ordinal, labelled);
    }
    return byOrdinal;
  }

  private Map<Integer, Slot> slots(ClusterNames names, List<Pod> pods, Map<Integer, PersistentVolumeClaim> claims) {
    Map<Integer, Slot> slots = new HashMap<>();
    Map<String, Pod> podByName = pods.stream().collect(Collectors.toMap(p -> p.getMetadata().getName(), Function.identity()));
    java.util.Set<Integer> ordinals = new java.util.TreeSet<>(claims.keySet());
    for (Pod p : pods) ordinals.add(PodFacts.ordinal(p));
    for (int i : ordinals) {
      PersistentVolumeClaim c = claims.get(i);
      String label = c == null || c.getMetadata().getLabels() == null ? null : c.getMetadata().getLabels().get(VOLUME_OWNER_LABEL);
      Long owner = memberId(label);
      Pod pod = podByName.get(names.member(i));
      slots.put(i, new Slot(i, owner, pod != null && dataLost(pod), pod == null ? null : PodFacts.notReadySince(pod)));
    }
    return slots;
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

  /** The pod's last exit was etcd refusing to start without data for a member that still exists. */
  static boolean dataLost(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) return false;
    for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
      if (cs.getLastState() == null || cs.getLastState().getTerminated() == null) continue;
      String message = cs.getLastState().getTerminated().getMessage();
      if (message != null && !Boolean.TRUE.equals(cs.getReady()) && DATA_LOST_SIGNS.stream().anyMatch(message::contains)) {
        return true;
      }
    }
    return false;
  }

  /** What the learner's pod was doing, for the failure report. */
  private static String podState(List<Pod> pods, String member) {
    Optional<Pod> pod = pods.stream().filter(p -> member.equals(p.getMetadata().getName())).findFirst();
    if (pod.isEmpty()) return " (its pod does not exist)";
    if (pod.get().getStatus() == null || pod.get().getStatus().getContainerStatuses() == null) return "";
    for (ContainerStatus cs : pod.get().getStatus().getContainerStatuses()) {
      if (cs.getState() != null && cs.getState().getWaiting() != null) {
        var w = cs.getState().getWaiting();
        return " (pod " + member + ": " + w.getReason() + (w.getMessage() == null ? "" : ": " + w.getMessage()) + ")";
      }
    }
    return "";
  }

  /**
   * Deletes the claim, then the pod that still mounts it: the claim goes once the pod is gone and the
   * StatefulSet recreates both, the volume empty. Repeating it after a crash is harmless: a claim that is
   * already being deleted only takes down the pod that was created before the deletion started.
   */
  private void wipe(View v, WipeVolume w, PersistentVolumeClaim claim) {
    EtcdCluster cluster = v.cluster();
    ClusterNames names = v.objects().names();
    String ns = cluster.getMetadata().getNamespace();
    String member = names.member(w.ordinal());
    if (claim != null && claim.getMetadata().getDeletionTimestamp() == null) {
      client.persistentVolumeClaims().inNamespace(ns).withName(claim.getMetadata().getName()).delete();
      events.normal(cluster, "VolumeWiped", "deleting the volume of " + member + ": it holds the data of removed member "
          + Long.toHexString(w.staleOwner()) + ", the new member must start empty");
    }
    String deletionStarted = claim == null || claim.getMetadata().getDeletionTimestamp() == null
        ? null : claim.getMetadata().getDeletionTimestamp();
    v.pods().stream().filter(p -> member.equals(p.getMetadata().getName()))
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> deletionStarted == null
            || Instant.parse(p.getMetadata().getCreationTimestamp()).isBefore(Instant.parse(deletionStarted)))
        .findFirst()
        // The member is no longer in etcd: there is no leadership to hand over, so a short grace period
        // (a frozen or hung process would otherwise hold the volume for the full minute).
        .ifPresent(p -> PodDeletion.deleteIfSame(client, p, WIPE_GRACE_SECONDS));
  }

  private void resize(View v, int replicas) {
    StatefulSet sts = new io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder(v.desiredStatefulSet()).build();
    sts.getSpec().setReplicas(replicas);
    ObjectApplier.Applied<StatefulSet> applied = applier.apply(sts, v.statefulSet(), v.cache());
    if (applied.outcome() == ObjectApplier.Outcome.UPDATED) {
      events.normal(v.cluster(), "Updated", "updated StatefulSet " + v.objects().names().statefulSet());
    }
  }

  /** The ordinal of a member, from the pod name in its peer URL; -1 when it is not one of ours. */
  static int ordinalOf(ClusterNames names, ObservedMember m) {
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

  private static Optional<Integer> claimOrdinal(ClusterNames names, String claim) {
    String prefix = names.dataClaim(0).substring(0, names.dataClaim(0).length() - 1);
    if (!claim.startsWith(prefix)) return Optional.empty();
    try {
      return Optional.of(Integer.parseInt(claim.substring(prefix.length())));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) c = c.getCause();
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }
}
