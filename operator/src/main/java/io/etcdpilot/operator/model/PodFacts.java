package io.etcdpilot.operator.model;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the operator reads from a member pod, in one place. */
public final class PodFacts {
  private PodFacts() {}

  /**
   * Whether the pod is a member pod of that StatefulSet: controlled by it and named {@code <set>-<ordinal>}. Anything
   * else that carries a cluster's label (a debugging pod, a NetworkPolicy probe) is no member and must never be
   * restarted, counted or replaced as one. A pod controlled by nothing that the StatefulSet selects and names as its
   * own is one too: its StatefulSet was re-created (to grow the volumes) and adopts it, as the StatefulSet
   * controller adopts any such pod.
   */
  public static boolean memberOf(Pod p, String statefulSet, Map<String, String> selector) {
    String name = p.getMetadata().getName();
    if (!name.startsWith(statefulSet + "-") || !name.substring(statefulSet.length() + 1).matches("0|[1-9][0-9]{0,3}")) {
      return false;
    }
    List<OwnerReference> owners = p.getMetadata().getOwnerReferences() == null ? List.of()
        : p.getMetadata().getOwnerReferences();
    boolean controlled = owners.stream().anyMatch(o -> Boolean.TRUE.equals(o.getController())
        && "StatefulSet".equals(o.getKind()) && statefulSet.equals(o.getName()));
    boolean orphan = owners.stream().noneMatch(o -> Boolean.TRUE.equals(o.getController()));
    Map<String, String> labels = p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
    return controlled || (orphan && labels.entrySet().containsAll(selector.entrySet()));
  }

  /** The ordinal in a StatefulSet pod's name ({@code <set>-<ordinal>}); only for {@link #memberOf member pods}. */
  public static int ordinal(Pod p) {
    String name = p.getMetadata().getName();
    return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
  }

  public static String revision(Pod p) {
    return p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get("controller-revision-hash");
  }

  /** Ready and not being deleted. */
  public static boolean ready(Pod p) {
    return p.getMetadata().getDeletionTimestamp() == null && readyCondition(p).map(c -> "True".equals(c.getStatus()))
        .orElse(false);
  }

  /** When the pod became ready; null when it is not ready. */
  public static Instant readySince(Pod p) {
    return readyCondition(p).filter(c -> "True".equals(c.getStatus())).map(PodFacts::transition).orElse(null);
  }

  /** Since when the pod has not been ready; null while it is ready or nothing is known. */
  public static Instant notReadySince(Pod p) {
    return readyCondition(p).filter(c -> !"True".equals(c.getStatus())).map(PodFacts::transition).orElse(null);
  }

  /** When the pod was created (a restart creates a new pod); null when unknown. */
  public static Instant created(Pod p) {
    return p.getMetadata().getCreationTimestamp() == null ? null : Instant.parse(p.getMetadata().getCreationTimestamp());
  }

  /** What the pod's container is waiting on, as the kubelet says it ("ImagePullBackOff: …"); empty when running. */
  public static Optional<String> waiting(Pod p) {
    if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) return Optional.empty();
    return p.getStatus().getContainerStatuses().stream()
        .filter(cs -> cs.getState() != null && cs.getState().getWaiting() != null).findFirst()
        .map(cs -> cs.getState().getWaiting())
        .map(w -> w.getReason() + (w.getMessage() == null ? "" : ": " + w.getMessage()));
  }

  /** Waiting reasons of a container that will not start until someone changes something. */
  private static final java.util.Set<String> CANNOT_START = java.util.Set.of("ErrImagePull", "ImagePullBackOff",
      "InvalidImageName", "CreateContainerConfigError", "CreateContainerError");

  /**
   * Why the pod cannot start, in Kubernetes' own words: the scheduler's message while it cannot be placed, the kubelet's
   * while its image cannot be pulled or its container not created; empty when it is starting as it should.
   */
  public static Optional<String> startProblem(Pod p) {
    if (p.getStatus() == null) return Optional.empty();
    Optional<PodCondition> scheduled = p.getStatus().getConditions() == null ? Optional.empty()
        : p.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType())).findFirst();
    if (scheduled.filter(c -> "False".equals(c.getStatus())).isPresent()) {
      PodCondition c = scheduled.get();
      return Optional.of("pod " + p.getMetadata().getName() + " cannot be scheduled: "
          + (c.getMessage() == null || c.getMessage().isBlank() ? c.getReason() : c.getMessage()));
    }
    if (p.getStatus().getContainerStatuses() == null) return Optional.empty();
    return p.getStatus().getContainerStatuses().stream()
        .filter(cs -> cs.getState() != null && cs.getState().getWaiting() != null
            && CANNOT_START.contains(cs.getState().getWaiting().getReason()))
        .findFirst().map(cs -> "pod " + p.getMetadata().getName() + " cannot start: " + cs.getState().getWaiting().getReason()
            + (cs.getState().getWaiting().getMessage() == null ? "" : ": " + cs.getState().getWaiting().getMessage()));
  }

  /** Since when the pod has had its {@link #startProblem}: when it failed to be scheduled, else when it was created. */
  public static Instant startProblemSince(Pod p) {
    Optional<PodCondition> unscheduled = p.getStatus() == null || p.getStatus().getConditions() == null ? Optional.empty()
        : p.getStatus().getConditions().stream()
            .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())).findFirst();
    return unscheduled.map(PodFacts::transition).filter(java.util.Objects::nonNull).orElseGet(() -> created(p));
  }

  private static Optional<PodCondition> readyCondition(Pod p) {
    if (p.getStatus() == null || p.getStatus().getConditions() == null) return Optional.empty();
    return p.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
  }

  private static Instant transition(PodCondition c) {
    return c.getLastTransitionTime() == null ? null : Instant.parse(c.getLastTransitionTime());
  }
}
