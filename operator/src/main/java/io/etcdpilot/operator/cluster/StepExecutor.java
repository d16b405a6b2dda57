package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.MaintenanceStatus;
import io.etcdpilot.operator.api.v1alpha1.MemberFailure;
import io.etcdpilot.operator.api.v1alpha1.Operation;
import io.etcdpilot.operator.etcd.EtcdAdmin;
import io.etcdpilot.operator.etcd.EtcdRefusal;
import io.etcdpilot.operator.kube.LeaseFence;
import io.etcdpilot.operator.plan.OperationType;
import io.etcdpilot.operator.plan.Step;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the step the arbiter picked, through the steps of its kind ({@link MembershipSteps},
 * {@link RestartSteps}, {@link MaintenanceSteps}), switching over {@link Step.Kind} so that a new kind cannot be forgotten. Only etcd's "not
 * now" answers turn into a wait; anything else fails the pass.
 */
final class StepExecutor {
  private static final Logger log = LoggerFactory.getLogger(StepExecutor.class);

  private final MembershipSteps membership;
  private final RestartSteps restarts;
  private final MaintenanceSteps maintenance;
  private final LeaseFence fence;

  StepExecutor(KubernetesClient client, EtcdAdmin admin, ObjectApplier applier, LeaseFence fence, Clock clock) {
    this.membership = new MembershipSteps(client, admin, applier);
    this.restarts = new RestartSteps(client, admin);
    this.maintenance = new MaintenanceSteps(admin, new VolumeGrowth(client), clock);
    this.fence = fence;
  }

  /**
   * The operation to report (null when there is nothing to do), the last failed member, and the maintenance record a
   * maintenance step changed (null: unchanged).
   */
  record Outcome(Operation operation, MemberFailure failure, MaintenanceStatus maintenance) {
    Outcome(Operation operation, MemberFailure failure) {
      this(operation, failure, null);
    }
  }

  Outcome execute(StepArbiter.Decision decision, StepTarget t, Instant now) throws Exception {
    if (decision == null) return new Outcome(null, t.lastFailure());
    Step step = decision.step();
    OperationType type = decision.type();
    if (step.kind() != Step.Kind.NOTHING && step.kind() != Step.Kind.WAIT) {
      // The view this step was decided from is only as fresh as this replica's leadership.
      Optional<String> fenced = fence.refusal();
      if (fenced.isPresent()) {
        log.warn("{} for {}/{} not taken: {}", step, t.cluster().getMetadata().getNamespace(), t.names().cluster(),
            fenced.get());
        return new Outcome(t.operation(type, "waiting", fenced.get(), now, false), t.lastFailure());
      }
    }
    try {
      return switch (step.kind()) {
        case NOTHING -> new Outcome(null, t.lastFailure());
        case WAIT -> new Outcome(t.operation(type, "waiting", ((Step.Wait) step).reason(), now, false), t.lastFailure());
        case ADD_LEARNER, WIPE_VOLUME, GROW_STATEFULSET, PROMOTE, MOVE_LEADER, REMOVE_MEMBER, SHRINK_STATEFULSET ->
            membership.carryOut(step, t, type, now);
        case MOVE_LEADER_FOR_RESTART, RESTART_MEMBER, ENABLE_DOWNGRADE, CANCEL_DOWNGRADE ->
            restarts.carryOut(step, t, type, now);
        case COMPACT, MOVE_LEADER_FOR_DEFRAG, DEFRAGMENT, DISARM_NOSPACE, DISARM_CORRUPT, GROW_VOLUMES,
            MOVE_LEADER_OFF_SLOW_DISK ->
            maintenance.carryOut(step, t, type, now);
      };
    } catch (Exception e) {
      if (!EtcdRefusal.isNotNow(e)) throw e;
      // etcd refusing a change (e.g. "unhealthy cluster" within 5 s of a restart) is "not yet": try again soon.
      String why = EtcdRefusal.message(e);
      log.info("{} for {}/{} not done yet: {}", step, t.cluster().getMetadata().getNamespace(), t.names().cluster(), why);
      return new Outcome(t.operation(type, "waiting", "etcd refused " + describe(step) + ": " + why, now, false),
          t.lastFailure());
    }
  }

  private static String describe(Step step) {
    return switch (step.kind()) {
      case ADD_LEARNER -> "adding a learner";
      case PROMOTE -> "promoting the learner";
      case MOVE_LEADER, MOVE_LEADER_FOR_RESTART, MOVE_LEADER_FOR_DEFRAG, MOVE_LEADER_OFF_SLOW_DISK -> "moving leadership";
      case COMPACT -> "compacting";
      case DISARM_NOSPACE -> "disarming NOSPACE";
      case DISARM_CORRUPT -> "disarming CORRUPT";
      case REMOVE_MEMBER -> "removing the member";
      case ENABLE_DOWNGRADE -> "enabling the downgrade";
      case CANCEL_DOWNGRADE -> "cancelling the downgrade";
      default -> "the step";
    };
  }
}
