package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.Operation;
import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.EtcdAdmin;
import io.etcdpilot.operator.etcd.EtcdConnection;
import io.etcdpilot.operator.etcd.ObservedMember;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.rollout.RolloutPlanner;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Carries out rolling restarts: outdated members restarted one at a time (OnDelete) behind the planner's gates. */
final class RolloutActions {
  private static final Logger log = LoggerFactory.getLogger(RolloutActions.class);

  private final KubernetesClient client;
  private final EtcdAdmin admin;
  private final EventRecorder events;
  private final RolloutPlanner planner = new RolloutPlanner();

  RolloutActions(KubernetesClient client, EtcdAdmin admin, EventRecorder events) {
    this.client = client;
    this.admin = admin;
    this.events = events;
  }

  /** A bundle reaches a member only through a restart: every pod must be ready and running with it. */
  static java.util.function.Predicate<String> membersTrust(StatefulSet sts, List<Pod> pods) {
    boolean complete = rolloutComplete(sts, pods);
    return hash -> complete && pods.stream().allMatch(p -> p.getMetadata().getAnnotations() != null
        && hash.equals(p.getMetadata().getAnnotations().get(ClusterObjects.TRUST_ANNOTATION)));
  }

  /** Every pod runs the StatefulSet's current template and is ready. */
  static boolean rolloutComplete(StatefulSet sts, List<Pod> pods) {
    if (sts == null || sts.getStatus() == null || sts.getStatus().getUpdateRevision() == null) return pods.isEmpty();
    if (sts.getStatus().getObservedGeneration() == null
        || sts.getStatus().getObservedGeneration() < sts.getMetadata().getGeneration()) return false;
    if (pods.size() != sts.getSpec().getReplicas()) return false;
    return pods.stream().allMatch(p -> sts.getStatus().getUpdateRevision().equals(PodFacts.revision(p)) && PodFacts.ready(p));
  }

  /** The restart step taken or waited on; null when every member runs the current template. */
  Operation step(EtcdCluster cluster, StatefulSet sts, List<Pod> pods, ClusterObservation observation,
      EtcdConnection connection, Instant now) {
    if (sts.getStatus() == null || sts.getStatus().getUpdateRevision() == null
        || sts.getStatus().getObservedGeneration() == null
        || sts.getStatus().getObservedGeneration() < sts.getMetadata().getGeneration()) {
      return null; // the StatefulSet controller has not caught up with the template yet
    }
    String updateRevision = sts.getStatus().getUpdateRevision();
    List<RolloutPlanner.PodView> views = new ArrayList<>();
    for (Pod p : pods) {
      views.add(new RolloutPlanner.PodView(p.getMetadata().getName(), PodFacts.ordinal(p),
          !updateRevision.equals(PodFacts.revision(p)), PodFacts.ready(p), PodFacts.readySince(p)));
    }
    if (views.stream().noneMatch(RolloutPlanner.PodView::outdated)) return null;
    if (pods.stream().anyMatch(p -> p.getMetadata().getDeletionTimestamp() != null)) {
      return Operations.next(cluster, "RollingRestart", "waiting", "a member pod is terminating", now);
    }
    List<RolloutPlanner.MemberView> members = observation.members().stream().map(m -> new RolloutPlanner.MemberView(
        m.name(), m.id(), m.reachable(), m.learner(), m.raftIndex())).toList();
    String leader = observation.leader().map(ObservedMember::name).orElse("");
    RolloutPlanner.Step step = planner.next(views, members, leader, now);
    if (step instanceof RolloutPlanner.Restart r) {
      events.normal(cluster, "RestartingMember", "restarting " + r.pod() + " to apply the current pod template");
      pods.stream().filter(p -> r.pod().equals(p.getMetadata().getName())).findFirst()
          .ifPresent(p -> PodDeletion.deleteIfSame(client, p, null));
      return Operations.next(cluster, "RollingRestart", r.pod(), "restarting", now);
    }
    if (step instanceof RolloutPlanner.MoveLeader m) {
      try {
        String url = observation.members().stream().filter(x -> x.name().equals(m.from())).findFirst()
            .map(x -> x.clientUrls().get(0)).orElseThrow();
        admin.moveLeader(connection, url, m.toId());
        events.normal(cluster, "LeadershipMoved", "moved leadership from " + m.from() + " to " + m.to()
            + " before restarting " + m.from());
      } catch (Exception e) {
        log.warn("move leader {} -> {} failed: {}", m.from(), m.to(), e.toString());
      }
      return Operations.next(cluster, "RollingRestart", m.from(), "moving leadership to " + m.to(), now);
    }
    if (step instanceof RolloutPlanner.Wait w) {
      return Operations.next(cluster, "RollingRestart", "waiting", w.reason(), now);
    }
    return null;
  }
}
