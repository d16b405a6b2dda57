package io.etcdpilot.operator.validation;

import io.etcdpilot.operator.model.SpecViolation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Spec changes the API server would refuse on the live StatefulSet: its volume claim templates are immutable, so a
 * new {@code spec.storage.storageClassName} cannot reach existing members. Such a change is reported and the live
 * templates are kept, so the rest of the StatefulSet still updates. (A new size is carried out by growing the claims
 * and re-creating the StatefulSet: {@code VolumeSizing}.)
 */
public final class ImmutableFields {
  private ImmutableFields() {}

  /** What the desired StatefulSet changes that cannot change, as violations naming the spec field. */
  public static List<SpecViolation> refusedChanges(StatefulSet live, StatefulSet desired) {
    List<SpecViolation> out = new ArrayList<>();
    if (live == null) return out;
    PersistentVolumeClaim was = data(live);
    PersistentVolumeClaim want = data(desired);
    if (was == null || want == null) return out;
    if (!Objects.equals(was.getSpec().getStorageClassName(), want.getSpec().getStorageClassName())) {
      out.add(new SpecViolation("spec.storage.storageClassName", "cannot change on an existing cluster: members keep "
          + "their volumes of class " + Objects.requireNonNullElse(was.getSpec().getStorageClassName(), "(default)")
          + " (a StatefulSet's volume claim template is immutable)"));
    }
    return out;
  }

  /** The desired StatefulSet with the live, unchangeable fields put back. */
  public static StatefulSet keepLive(StatefulSet live, StatefulSet desired) {
    if (live != null) {
      desired.getSpec().setVolumeClaimTemplates(live.getSpec().getVolumeClaimTemplates());
    }
    return desired;
  }

  /** The live StatefulSet's claim size; null before it exists. */
  public static String claimSize(StatefulSet sts) {
    PersistentVolumeClaim claim = sts == null ? null : data(sts);
    Quantity size = claim == null || claim.getSpec().getResources() == null
        || claim.getSpec().getResources().getRequests() == null ? null
        : claim.getSpec().getResources().getRequests().get("storage");
    return size == null ? null : size.toString();
  }

  private static PersistentVolumeClaim data(StatefulSet sts) {
    var templates = sts.getSpec().getVolumeClaimTemplates();
    return templates == null || templates.isEmpty() ? null : templates.get(0);
  }
}
