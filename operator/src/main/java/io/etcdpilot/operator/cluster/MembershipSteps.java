package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.MemberFailure;
import io.etcdpilot.operator.api.v1alpha1.Operation;
import io.etcdpilot.operator.etcd.EtcdAdmin;
import io.etcdpilot.operator.membership.JoinList;
import io.etcdpilot.operator.membership.MembershipInputs;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.model.LearnerClock;
import io.etcdpilot.operator.model.PodFacts;
import io.etcdpilot.operator.plan.OperationType;
import io.etcdpilot.operator.plan.Step;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * The membership steps: the one place that adds, promotes and removes members, wipes a stale volume and resizes the
 * StatefulSet. Each records its Event, its crash point (for the crash-safety tests) and the operation it is part of.
 */
final class MembershipSteps {
  private static final long WIPE_GRACE_SECONDS = 5;

  private final KubernetesClient client;
  private final EtcdAdmin admin;
  private final ObjectApplier applier;

  MembershipSteps(KubernetesClient client, EtcdAdmin admin, ObjectApplier applier) {
    this.client = client;
    this.admin = admin;
    this.applier = applier;
  }

  StepExecutor.Outcome carryOut(Step step, StepTarget t, OperationType type, Instant now) throws Exception {
    MemberFailure failure = t.lastFailure();
    return switch (step.kind()) {
      case ADD_LEARNER -> new StepExecutor.Outcome(addLearner((Step.AddLearner) step, t, type, now), failure);
      case WIPE_VOLUME -> new StepExecutor.Outcome(wipeVolume((Step.WipeVolume) step, t, type, now), failure);
      case GROW_STATEFULSET -> {
        Step.GrowStatefulSet g = (Step.GrowStatefulSet) step;
        resize(t, g.replicas());
        yield new StepExecutor.Outcome(t.operation(type, t.names().member(g.replicas() - 1),
            "starting the learner's pod", now, false), failure);
      }
      case PROMOTE -> new StepExecutor.Outcome(promote((Step.Promote) step, t, type, now), failure);
      case MOVE_LEADER -> {
        Step.MoveLeader m = (Step.MoveLeader) step;
        String from = t.names().member(m.fromOrdinal());
        admin.moveLeader(t.connection(), t.names().clientUrl(from, t.objects().tls()), m.toId());
        t.events().normal("LeadershipMoved", "moved leadership from " + from + " to "
            + t.names().member(m.toOrdinal()) + " before removing " + from);
        yield new StepExecutor.Outcome(t.operation(type, from, "moved leadership away", now, false), failure);
      }
      case REMOVE_MEMBER -> removeMember((Step.RemoveMember) step, t, type, now, failure);
      case SHRINK_STATEFULSET -> {
        Step.ShrinkStatefulSet s = (Step.ShrinkStatefulSet) step;
        resize(t, s.replicas());
        t.events().normal("StatefulSetResized", "StatefulSet " + t.names().statefulSet() + " now has "
            + s.replicas() + " members");
        yield new StepExecutor.Outcome(t.operation(type, t.names().member(s.replicas()), "shrinking the StatefulSet",
            now, false), failure);
      }
      default -> throw new IllegalArgumentException("not a membership step: " + step);
    };
  }

  private Operation addLearner(Step.AddLearner a, StepTarget t, OperationType type, Instant now) throws Exception {
    ClusterNames names = t.names();
    String member = names.member(a.ordinal());
    String peerUrl = names.peerUrl(member, t.objects().tls());
    // The new member must find itself and every current member in its join list when it starts.
    String list = MembershipInputs.joinList(names, t.observation(), List.of(new JoinList.Entry(member, peerUrl, true)));
    // The learner's clock goes in the same write, before etcd is asked: its deadline counts from here.
    applier.apply(t.objects().stateConfigMap(ClusterObjects.STATE_EXISTING, list, LearnerClock.record(member, now)),
        t.stateConfigMap(), t.cache());
    long id = admin.addLearner(t.connection(), t.clientUrls(), peerUrl);
    CrashPoints.after("add-learner");
    t.events().normal("MemberAdded", "added " + member + " (" + Long.toHexString(id) + ") as a learner");
    return t.operation(type, member, "learner added; starting its pod", now, true);
  }

  private Operation promote(Step.Promote p, StepTarget t, OperationType type, Instant now) throws Exception {
    String member = t.names().member(p.ordinal());
    if (!admin.promote(t.connection(), t.clientUrls(), p.id())) {
      return t.operation(type, member, "learner catching up with the leader", now, false);
    }
    CrashPoints.after("promote");
    t.events().normal("MemberPromoted", member + " caught up and is now a voting member");
    return t.operation(type, member, "promoted", now, false);
  }

  private StepExecutor.Outcome removeMember(Step.RemoveMember r, StepTarget t, OperationType type, Instant now,
      MemberFailure failure)
      throws Exception {
    EtcdCluster cluster = t.cluster();
    String member = t.names().member(r.ordinal());
    // The pod's own state, unless the reason already says what it is.
    String podState = r.cause() == Step.Cause.LEARNER_FAILED && !r.why().contains("pod " + member)
        ? podState(t.state().pods(), member) : "";
    if (r.cause() == Step.Cause.REPLACE) {
      t.events().warning("ReplacingMember", r.why() + ": removing " + member
          + " from etcd, then adding it back as a learner on an empty volume");
    }
    admin.removeMember(t.connection(), t.clientUrls(), r.id());
    CrashPoints.after("remove-member");
    t.events().normal("MemberRemoved", "removed " + member + ": " + r.why());
    if (r.cause() == Step.Cause.LEARNER_FAILED) {
      String message = r.why() + podState;
      t.events().warning("LearnerFailed", message + "; not adding members until the spec changes");
      failure = new MemberFailure(member, message, now.truncatedTo(ChronoUnit.SECONDS).toString(),
          cluster.getMetadata().getGeneration());
    }
    return new StepExecutor.Outcome(t.operation(type, member, r.why(), now, false), failure);
  }

  /**
   * Deletes the claim, then the pod that still mounts it: the claim goes once the pod is gone and the StatefulSet
   * recreates both, the volume empty. Repeating it after a crash is harmless: a claim that is already being deleted
   * only takes down the pod that was created before the deletion started.
   */
  private Operation wipeVolume(Step.WipeVolume w, StepTarget t, OperationType type, Instant now) {
    EtcdCluster cluster = t.cluster();
    String member = t.names().member(w.ordinal());
    PersistentVolumeClaim claim = MembershipInputs.byOrdinal(t.names(), t.state().claims()).get(w.ordinal());
    if (claim != null && claim.getMetadata().getDeletionTimestamp() == null) {
      client.persistentVolumeClaims().inNamespace(cluster.getMetadata().getNamespace())
          .withName(claim.getMetadata().getName()).delete();
      t.events().normal("VolumeWiped", "deleting the volume of " + member + ": it holds the data of removed member "
          + Long.toHexString(w.staleOwner()) + ", the new member must start empty");
    }
    String deletionStarted = claim == null ? null : claim.getMetadata().getDeletionTimestamp();
    t.state().pods().stream().filter(p -> member.equals(p.getMetadata().getName()))
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> deletionStarted == null
            || Instant.parse(p.getMetadata().getCreationTimestamp()).isBefore(Instant.parse(deletionStarted)))
        .findFirst()
        // The member is no longer in etcd: there is no leadership to hand over, so a short grace period
        // (a frozen or hung process would otherwise hold the volume for the full minute).
        .ifPresent(p -> PodDeletion.deleteIfSame(client, p, WIPE_GRACE_SECONDS));
    return t.operation(type, member, "emptying the volume of removed member " + Long.toHexString(w.staleOwner()), now,
        false);
  }

  /** The StatefulSet as rendered this pass, at another size. */
  private void resize(StepTarget t, int replicas) {
    StatefulSet sts = new StatefulSetBuilder(t.desiredStatefulSet()).build();
    sts.getSpec().setReplicas(replicas);
    ObjectApplier.Applied<StatefulSet> applied = applier.apply(sts, t.statefulSet(), t.cache());
    if (applied.outcome() == ObjectApplier.Outcome.UPDATED) {
      t.events().normal("Updated", "updated StatefulSet " + t.names().statefulSet());
    }
  }

  /** What the learner's pod was doing, for the failure report. */
  private static String podState(List<Pod> pods, String member) {
    Optional<Pod> pod = pods.stream().filter(p -> member.equals(p.getMetadata().getName())).findFirst();
    if (pod.isEmpty()) return " (its pod does not exist)";
    return PodFacts.waiting(pod.get()).map(w -> " (pod " + member + ": " + w + ")").orElse("");
  }
}
