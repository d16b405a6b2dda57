package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.kube.ApiRefusal;
import io.etcdpilot.operator.kube.PassEvents;
import io.etcdpilot.operator.model.SpecViolation;
import io.etcdpilot.operator.volumes.VolumeSizing;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The writes of a volume growth: each claim's request raised (the storage driver expands the volume online), and,
 * once every claim has the new size, the StatefulSet deleted with its pods orphaned so it can be created again with
 * the bigger claim template (immutable in place); the new one adopts the running pods.
 */
final class VolumeGrowth {
  private final KubernetesClient client;

  VolumeGrowth(KubernetesClient client) {
    this.client = client;
  }

  /** Raises the claims the plan names; a refusal (a class that cannot expand, a quota) is reported naming the field. */
  void growClaims(VolumeSizing.Plan plan, List<PersistentVolumeClaim> claims, PassEvents events,
      List<SpecViolation> refused) {
    growClaims(plan.grow(), claims, events, refused);
  }

  /** Every data claim asks for {@code size} (automatic growth); the rest follows as for a bigger spec.storage.size. */
  void growTo(String size, List<PersistentVolumeClaim> claims, PassEvents events, List<SpecViolation> refused) {
    Map<String, String> all = new java.util.TreeMap<>();
    claims.stream().filter(c -> c.getMetadata().getDeletionTimestamp() == null)
        .forEach(c -> all.put(c.getMetadata().getName(), size));
    growClaims(all, claims, events, refused);
  }

  private void growClaims(Map<String, String> grow, List<PersistentVolumeClaim> claims, PassEvents events,
      List<SpecViolation> refused) {
    for (Map.Entry<String, String> one : grow.entrySet()) {
      PersistentVolumeClaim claim = claims.stream().filter(c -> c.getMetadata().getName().equals(one.getKey()))
          .findFirst().orElse(null);
      if (claim == null) continue;
      try {
        // A merge patch of the request alone, on the cached claim: no read first (the operator may patch claims, not
        // get them).
        client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace()).resource(claim)
            .patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"" + one.getValue() + "\"}}}}");
        events.normal("VolumeGrowing", "claim " + one.getKey() + " asked for " + one.getValue());
      } catch (KubernetesClientException e) {
        String why = ApiRefusal.explain(e).orElseThrow(() -> e);
        boolean classCannot = why.contains("resized") || why.toLowerCase(java.util.Locale.ROOT).contains("expansion");
        refused.add(new SpecViolation("spec.storage.size", "claim " + one.getKey() + " cannot grow to "
            + one.getValue() + ": " + why + (classCannot ? " (the StorageClass must allow volume expansion)" : "")));
        return; // one answer says it for all of them
      }
    }
  }

  /**
   * Deletes the live StatefulSet, its pods orphaned, when the plan says its claim template is too small; returns the
   * live StatefulSet to apply against (null once deleted: the pass creates it anew).
   */
  StatefulSet recreateIfGrown(VolumeSizing.Plan plan, StatefulSet live, PassEvents events) {
    if (live == null || !plan.recreateStatefulSet()) return live;
    var resource = client.apps().statefulSets().inNamespace(live.getMetadata().getNamespace())
        .withName(live.getMetadata().getName());
    resource.withPropagationPolicy(DeletionPropagation.ORPHAN).delete();
    // The garbage collector first takes the pods off it (the orphan finalizer), then it is gone.
    resource.waitUntilCondition(Objects::isNull, 60, TimeUnit.SECONDS);
    events.normal("StatefulSetRecreated", "StatefulSet " + live.getMetadata().getName() + " re-created with volumes of "
        + plan.rendered() + " (its pods kept running; members restart one at a time for the new quota)");
    return null;
  }
}
