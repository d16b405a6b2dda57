package io.etcdpilot.operator.volumes;

import io.etcdpilot.operator.model.BackendQuota;
import io.etcdpilot.operator.model.SpecViolation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How big members' volumes are and should be. Growing is a sequence the objects themselves record, so a restarted
 * operator picks it up where it was: each claim's request is raised (the storage driver expands the volume), and
 * only once every claim's capacity reached the new size is the StatefulSet's claim template (immutable: the
 * StatefulSet is re-created, its pods left running) and the quota derived from it raised. A claim's request is also
 * the memory of automatic growth: volumes may be larger than {@code spec.storage.size}, never smaller. Pure.
 */
public final class VolumeSizing {
  private VolumeSizing() {}

  /**
   * @param rendered the size the claim template and the derived quota use this pass
   * @param grow claims whose request is raised now, to {@code target}
   * @param target the size every volume is to have
   * @param recreateStatefulSet the live claim template is smaller than {@code rendered}
   * @param refused a size the volumes cannot take (a shrink), naming the field; null when none
   * @param growing while claims expand: how far (null when not growing)
   */
  public record Plan(String rendered, String target, Map<String, String> grow, boolean recreateStatefulSet,
      SpecViolation refused, String growing) {}

  /**
   * @param specSize {@code spec.storage.size}
   * @param liveTemplate the live StatefulSet's claim size; null before it exists
   * @param claims the members' data claims (automatic growth raises their requests)
   * @param autoGrow whether {@code spec.storage.autoGrow} is set (volumes may then be larger than the spec's size)
   */
  public static Plan plan(String specSize, String liveTemplate, List<PersistentVolumeClaim> claims, boolean autoGrow) {
    if (liveTemplate == null) return new Plan(specSize, specSize, Map.of(), false, null, null);
    long spec = bytes(specSize);
    long live = bytes(liveTemplate);
    long target = Math.max(spec, live);
    String targetText = spec >= live ? specSize : liveTemplate;
    for (PersistentVolumeClaim c : claims) {
      Quantity requested = request(c);
      if (requested != null && bytes(requested) > target) {
        target = bytes(requested);
        targetText = requested.toString();
      }
    }
    SpecViolation refused = null;
    if (spec < live && !autoGrow) {
      refused = new SpecViolation("spec.storage.size", "cannot shrink: members have " + liveTemplate
          + " volumes (a volume never shrinks); set it to at least " + liveTemplate);
    }
    Map<String, String> grow = new TreeMap<>();
    int reached = 0;
    int existing = 0;
    for (PersistentVolumeClaim c : claims) {
      if (c.getMetadata().getDeletionTimestamp() != null) continue;
      existing++;
      Quantity requested = request(c);
      if (requested != null && bytes(requested) < target) grow.put(c.getMetadata().getName(), targetText);
      Quantity capacity = capacity(c);
      if (capacity != null && bytes(capacity) >= target) reached++;
    }
    boolean allReached = reached == existing;
    String rendered = target > live && allReached ? targetText : liveTemplate;
    String growing = target > live && !allReached ? "growing volumes to " + targetText + ": " + reached + " of "
        + existing + " claims have it" : null;
    return new Plan(rendered, targetText, grow, bytes(rendered) > live, refused, growing);
  }

  static Quantity request(PersistentVolumeClaim c) {
    return c.getSpec() == null || c.getSpec().getResources() == null || c.getSpec().getResources().getRequests() == null
        ? null : c.getSpec().getResources().getRequests().get("storage");
  }

  static Quantity capacity(PersistentVolumeClaim c) {
    return c.getStatus() == null || c.getStatus().getCapacity() == null ? null : c.getStatus().getCapacity().get("storage");
  }

  static long bytes(String q) {
    return BackendQuota.bytes(q);
  }

  static long bytes(Quantity q) {
    return Quantity.getAmountInBytes(q).longValueExact();
  }
}
