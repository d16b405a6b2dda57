package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.model.PodFacts;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.function.Predicate;

/** How far the members are in picking up the StatefulSet's current template. */
final class RolloutProgress {
  private RolloutProgress() {}

  /** A bundle reaches a member only through a restart: every pod must be ready and running with it. */
  static Predicate<String> membersTrust(StatefulSet sts, List<Pod> pods) {
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
}
