package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.kube.EventRecorder;
import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.MemberFailure;
import io.etcdpilot.operator.api.v1alpha1.Operation;
import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.EtcdAdmin;
import io.etcdpilot.operator.etcd.EtcdConnection;
import io.etcdpilot.operator.etcd.EtcdRefusal;
import io.etcdpilot.operator.membership.JoinList;
import io.etcdpilot.operator.membership.MembershipInputs;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.model.EtcdVersion;
import io.etcdpilot.operator.model.PodFacts;
import io.etcdpilot.operator.plan.OperationType;
import io.etcdpilot.operator.plan.Step;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the step the arbiter picked. The one place that changes etcd's membership or deletes a member pod, and
 * that records the step's Event, its crash point (for the crash-safety tests) and {@code status.operation}. Only
 * etcd's "not now" answers turn into a wait; anything else fails the pass.
 */
final class StepExecutor {
  private static final Logger log = LoggerFactory.getLogger(StepExecutor.class);
  private static final long WIPE_GRACE_SECONDS = 5;

  private final KubernetesClient client;
  private final EtcdAdmin admin;
  private final ObjectApplier applier;
  private final EventRecorder events;

  StepExecutor(KubernetesClient client, EtcdAdmin admin, ObjectApplier applier, EventRecorder events) {
    this.client = client;
    this.admin = admin;
    this.applier = applier;
    this.events = events;
  }

  /** What the step needs to act on: this pass's snapshot and what was rendered from it. */
  record Target(EtcdCluster cluster, ClusterObjects objects, ClusterState state, StatefulSet statefulSet,
      StatefulSet desiredStatefulSet, ConfigMap stateConfigMap, ClusterObservation observation,
      EtcdConnection connection, List<String> clientUrls, KubeCache cache) {
    ClusterNames names() {
      return objects.names();
    }
  }

  /** The operation to report (null when there is nothing to do) and the last failed member. */
  record Outcome(Operation operation, MemberFailure failure) {}

  Outcome execute(StepArbiter.Decision decision, Target t, Instant now) throws Exception {
    MemberFailure failure = t.cluster().getStatus() == null ? null : t.cluster().getStatus().getMemberFailure();
    if (decision == null) return new Outcome(null, failure);
    Step step = decision.step();
    OperationType type = decision.type();
    try {
      return switch (step.kind()) {
        case NOTHING -> new Outcome(null, failure);
        case WAIT -> new Outcome(operation(t, type, "waiting", ((Step.Wait) step).reason(), now, false), failure);
        case ADD_LEARNER -> new Outcome(addLearner((Step.AddLearner) step, t, type, now), failure);
        case WIPE_VOLUME -> new Outcome(wipeVolume((Step.WipeVolume) step, t, type, now), failure);
        case GROW_STATEFULSET -> {
          Step.GrowStatefulSet g = (Step.GrowStatefulSet) step;
          resize(t, g.replicas());
          yield new Outcome(operation(t, type, t.names().member(g.replicas() - 1), "starting the learner's pod", now,
              false), failure);
        }
        case PROMOTE -> new Outcome(promote((Step.Promote) step, t, type, now), failure);
        case MOVE_LEADER -> {
          Step.MoveLeader m = (Step.MoveLeader) step;
          String from = t.names().member(m.fromOrdinal());
          admin.moveLeader(t.connection(), t.names().clientUrl(from, t.objects().tls()), m.toId());
          events.normal(t.cluster(), "LeadershipMoved", "moved leadership from " + from + " to "
              + t.names().member(m.toOrdinal()) + " before removing " + from);
          yield new Outcome(operation(t, type, from, "moved leadership away", now, false), failure);
        }
        case REMOVE_MEMBER -> removeMember((Step.RemoveMember) step, t, type, now, failure);
        case SHRINK_STATEFULSET -> {
          Step.ShrinkStatefulSet s = (Step.ShrinkStatefulSet) step;
          resize(t, s.replicas());
          events.normal(t.cluster(), "StatefulSetResized", "StatefulSet " + t.names().statefulSet() + " now has "
              + s.replicas() + " members");
          yield new Outcome(operation(t, type, t.names().member(s.replicas()), "shrinking the StatefulSet", now, false),
              failure);
        }
        case MOVE_LEADER_FOR_RESTART -> {
          Step.MoveLeaderForRestart m = (Step.MoveLeaderForRestart) step;
          String url = t.observation().members().stream().filter(x -> x.name().equals(m.from())).findFirst()
              .map(x -> x.clientUrls().get(0)).orElseThrow(() -> new IllegalStateException(
                  "leader " + m.from() + " has no client URL in etcd's member list"));
          admin.moveLeader(t.connection(), url, m.toId());
          events.normal(t.cluster(), "LeadershipMoved", "moved leadership from " + m.from() + " to " + m.to()
              + " before restarting " + m.from());
          yield new Outcome(operation(t, type, m.from(), "moved leadership to " + m.to(), now, false), failure);
        }
        case ENABLE_DOWNGRADE -> {
          String minor = ((Step.EnableDowngrade) step).targetMinor();
          // Validate first: etcd says why a target is not allowed without changing anything.
          admin.downgrade(t.connection(), t.clientUrls(), EtcdAdmin.DowngradeAction.VALIDATE, minor);
          admin.downgrade(t.connection(), t.clientUrls(), EtcdAdmin.DowngradeAction.ENABLE, minor);
          events.normal(t.cluster(), "DowngradeEnabled", "etcd downgrade to " + minor + " enabled: members restart onto "
              + t.cluster().getSpec().getVersion() + " once etcd has moved the storage version to " + minor);
          yield new Outcome(operation(t, type, "cluster", "downgrade to " + minor + " enabled", now, false), failure);
        }
        case CANCEL_DOWNGRADE -> {
          String minor = ((Step.CancelDowngrade) step).targetMinor();
          admin.downgrade(t.connection(), t.clientUrls(), EtcdAdmin.DowngradeAction.CANCEL, "");
          events.normal(t.cluster(), "DowngradeCancelled", "etcd downgrade to " + minor + " cancelled: spec.version is "
              + t.cluster().getSpec().getVersion());
          yield new Outcome(operation(t, type, "cluster", "downgrade to " + minor + " cancelled", now, false), failure);
        }
        case RESTART_MEMBER -> {
          Step.RestartMember r = (Step.RestartMember) step;
          Optional<Pod> pod = t.state().pods().stream().filter(p -> r.pod().equals(p.getMetadata().getName())).findFirst();
          events.normal(t.cluster(), "RestartingMember", "restarting " + r.pod() + ": " + restartReason(pod, t));
          pod.ifPresent(p -> PodDeletion.deleteIfSame(client, p, null));
          yield new Outcome(operation(t, type, r.pod(), "restarting", now, false), failure);
        }
      };
    } catch (Exception e) {
      if (!EtcdRefusal.isNotNow(e)) throw e;
      // etcd refusing a change (e.g. "unhealthy cluster" within 5 s of a restart) is "not yet": try again soon.
      String why = EtcdRefusal.message(e);
      log.info("{} for {}/{} not done yet: {}", step, t.cluster().getMetadata().getNamespace(), t.names().cluster(), why);
      return new Outcome(operation(t, type, "waiting", "etcd refused " + describe(step) + ": " + why, now, false), failure);
    }
  }

  private Operation addLearner(Step.AddLearner a, Target t, OperationType type, Instant now) throws Exception {
    ClusterNames names = t.names();
    String member = names.member(a.ordinal());
    String peerUrl = names.peerUrl(member, t.objects().tls());
    // The new member must find itself and every current member in its join list when it starts.
    String list = MembershipInputs.joinList(names, t.observation(), List.of(new JoinList.Entry(member, peerUrl, true)));
    applier.apply(t.objects().stateConfigMap(ClusterObjects.STATE_EXISTING, list), t.stateConfigMap(), t.cache());
    long id = admin.addLearner(t.connection(), t.clientUrls(), peerUrl);
    CrashPoints.after("add-learner");
    events.normal(t.cluster(), "MemberAdded", "added " + member + " (" + Long.toHexString(id) + ") as a learner");
    return operation(t, type, member, "learner added; starting its pod", now, true);
  }

  private Operation promote(Step.Promote p, Target t, OperationType type, Instant now) throws Exception {
    String member = t.names().member(p.ordinal());
    if (!admin.promote(t.connection(), t.clientUrls(), p.id())) {
      return operation(t, type, member, "learner catching up with the leader", now, false);
    }
    CrashPoints.after("promote");
    events.normal(t.cluster(), "MemberPromoted", member + " caught up and is now a voting member");
    return operation(t, type, member, "promoted", now, false);
  }

  private Outcome removeMember(Step.RemoveMember r, Target t, OperationType type, Instant now, MemberFailure failure)
      throws Exception {
    EtcdCluster cluster = t.cluster();
    String member = t.names().member(r.ordinal());
    String podState = r.cause() == Step.Cause.LEARNER_FAILED ? podState(t.state().pods(), member) : "";
    if (r.cause() == Step.Cause.REPLACE) {
      events.warning(cluster, "ReplacingMember", r.why() + ": removing " + member
          + " from etcd, then adding it back as a learner on an empty volume");
    }
    admin.removeMember(t.connection(), t.clientUrls(), r.id());
    CrashPoints.after("remove-member");
    events.normal(cluster, "MemberRemoved", "removed " + member + ": " + r.why());
    if (r.cause() == Step.Cause.LEARNER_FAILED) {
      String message = r.why() + podState;
      events.warning(cluster, "LearnerFailed", message + "; not adding members until the spec changes");
      failure = new MemberFailure(member, message, now.truncatedTo(ChronoUnit.SECONDS).toString(),
          cluster.getMetadata().getGeneration());
    }
    return new Outcome(operation(t, type, member, r.why(), now, false), failure);
  }

  /**
   * Deletes the claim, then the pod that still mounts it: the claim goes once the pod is gone and the StatefulSet
   * recreates both, the volume empty. Repeating it after a crash is harmless: a claim that is already being deleted
   * only takes down the pod that was created before the deletion started.
   */
  private Operation wipeVolume(Step.WipeVolume w, Target t, OperationType type, Instant now) {
    EtcdCluster cluster = t.cluster();
    String member = t.names().member(w.ordinal());
    PersistentVolumeClaim claim = MembershipInputs.byOrdinal(t.names(), t.state().claims()).get(w.ordinal());
    if (claim != null && claim.getMetadata().getDeletionTimestamp() == null) {
      client.persistentVolumeClaims().inNamespace(cluster.getMetadata().getNamespace())
          .withName(claim.getMetadata().getName()).delete();
      events.normal(cluster, "VolumeWiped", "deleting the volume of " + member + ": it holds the data of removed member "
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
    return operation(t, type, member, "emptying the volume of removed member " + Long.toHexString(w.staleOwner()), now,
        false);
  }

  /** The StatefulSet as rendered this pass, at another size. */
  private void resize(Target t, int replicas) {
    StatefulSet sts = new StatefulSetBuilder(t.desiredStatefulSet()).build();
    sts.getSpec().setReplicas(replicas);
    ObjectApplier.Applied<StatefulSet> applied = applier.apply(sts, t.statefulSet(), t.cache());
    if (applied.outcome() == ObjectApplier.Outcome.UPDATED) {
      events.normal(t.cluster(), "Updated", "updated StatefulSet " + t.names().statefulSet());
    }
  }

  /** Keeps the start time of an operation of the same type, so status does not churn while it runs. */
  private static Operation operation(Target t, OperationType type, String target, String message, Instant now,
      boolean restartClock) {
    Operation previous = t.cluster().getStatus() == null ? null : t.cluster().getStatus().getOperation();
    String started = !restartClock && previous != null && type.name().equals(previous.getType()) ? previous.getStarted()
        : now.truncatedTo(ChronoUnit.SECONDS).toString();
    return new Operation(type.name(), target, started, message);
  }

  private static String describe(Step step) {
    return switch (step.kind()) {
      case ADD_LEARNER -> "adding a learner";
      case PROMOTE -> "promoting the learner";
      case MOVE_LEADER, MOVE_LEADER_FOR_RESTART -> "moving leadership";
      case REMOVE_MEMBER -> "removing the member";
      case ENABLE_DOWNGRADE -> "enabling the downgrade";
      case CANCEL_DOWNGRADE -> "cancelling the downgrade";
      default -> "the step";
    };
  }

  /** Why the pod restarts: a version change when its image names another etcd version, else the template. */
  private static String restartReason(Optional<Pod> pod, Target t) {
    Optional<EtcdVersion> running = pod.flatMap(p -> EtcdVersion.ofImageTag(p.getSpec().getContainers().get(0).getImage()));
    Optional<EtcdVersion> rendered = EtcdVersion.ofImageTag(
        t.desiredStatefulSet().getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    if (running.isPresent() && rendered.isPresent() && !running.equals(rendered)) {
      return "version " + running.get() + " → " + rendered.get();
    }
    return "to apply the current pod template";
  }

  /** What the learner's pod was doing, for the failure report. */
  private static String podState(List<Pod> pods, String member) {
    Optional<Pod> pod = pods.stream().filter(p -> member.equals(p.getMetadata().getName())).findFirst();
    if (pod.isEmpty()) return " (its pod does not exist)";
    return PodFacts.waiting(pod.get()).map(w -> " (pod " + member + ": " + w + ")").orElse("");
  }
}
