package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.MemberFailure;
import io.etcdpilot.operator.etcd.EtcdAdmin;
import io.etcdpilot.operator.model.EtcdVersion;
import io.etcdpilot.operator.plan.OperationType;
import io.etcdpilot.operator.plan.Step;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.Optional;

/**
 * The steps of a rolling restart and a version change: moving leadership off a member about to restart, deleting one
 * member pod (so the StatefulSet recreates it with the current template), and etcd's downgrade calls.
 */
final class RestartSteps {
  private final KubernetesClient client;
  private final EtcdAdmin admin;

  RestartSteps(KubernetesClient client, EtcdAdmin admin) {
    this.client = client;
    this.admin = admin;
  }

  StepExecutor.Outcome carryOut(Step step, StepTarget t, OperationType type, Instant now) throws Exception {
    MemberFailure failure = t.lastFailure();
    return switch (step.kind()) {
      case MOVE_LEADER_FOR_RESTART -> {
        Step.MoveLeaderForRestart m = (Step.MoveLeaderForRestart) step;
        String url = t.observation().members().stream().filter(x -> x.name().equals(m.from())).findFirst()
            .map(x -> x.clientUrls().get(0)).orElseThrow(() -> new IllegalStateException(
                "leader " + m.from() + " has no client URL in etcd's member list"));
        admin.moveLeader(t.connection(), url, m.toId());
        t.events().normal("LeadershipMoved", "moved leadership from " + m.from() + " to " + m.to()
            + " before restarting " + m.from());
        yield new StepExecutor.Outcome(t.operation(type, m.from(), "moved leadership to " + m.to(), now, false), failure);
      }
      case ENABLE_DOWNGRADE -> {
        String minor = ((Step.EnableDowngrade) step).targetMinor();
        // Validate first: etcd says why a target is not allowed without changing anything.
        admin.downgrade(t.connection(), t.clientUrls(), EtcdAdmin.DowngradeAction.VALIDATE, minor);
        admin.downgrade(t.connection(), t.clientUrls(), EtcdAdmin.DowngradeAction.ENABLE, minor);
        t.events().normal("DowngradeEnabled", "etcd downgrade to " + minor + " enabled: members restart onto "
            + t.cluster().getSpec().getVersion() + " once etcd has moved the storage version to " + minor);
        yield new StepExecutor.Outcome(t.operation(type, "cluster", "downgrade to " + minor + " enabled", now, false),
            failure);
      }
      case CANCEL_DOWNGRADE -> {
        String minor = ((Step.CancelDowngrade) step).targetMinor();
        admin.downgrade(t.connection(), t.clientUrls(), EtcdAdmin.DowngradeAction.CANCEL, "");
        t.events().normal("DowngradeCancelled", "etcd downgrade to " + minor + " cancelled: spec.version is "
            + t.cluster().getSpec().getVersion());
        yield new StepExecutor.Outcome(t.operation(type, "cluster", "downgrade to " + minor + " cancelled", now, false),
            failure);
      }
      case RESTART_MEMBER -> {
        Step.RestartMember r = (Step.RestartMember) step;
        Optional<Pod> pod = t.state().pods().stream().filter(p -> r.pod().equals(p.getMetadata().getName())).findFirst();
        t.events().normal("RestartingMember", "restarting " + r.pod() + ": " + restartReason(pod, t));
        pod.ifPresent(p -> PodDeletion.deleteIfSame(client, p, null));
        yield new StepExecutor.Outcome(t.operation(type, r.pod(), "restarting", now, false), failure);
      }
      default -> throw new IllegalArgumentException("not a restart step: " + step);
    };
  }

  /** Why the pod restarts: a version change when its image names another etcd version, else the template. */
  private static String restartReason(Optional<Pod> pod, StepTarget t) {
    Optional<EtcdVersion> running = pod.flatMap(p -> EtcdVersion.ofImageTag(p.getSpec().getContainers().get(0).getImage()));
    Optional<EtcdVersion> rendered = EtcdVersion.ofImageTag(
        t.desiredStatefulSet().getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    if (running.isPresent() && rendered.isPresent() && !running.equals(rendered)) {
      return "version " + running.get() + " → " + rendered.get();
    }
    return "to apply the current pod template";
  }

}
