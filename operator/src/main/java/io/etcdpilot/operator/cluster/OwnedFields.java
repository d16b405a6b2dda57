package io.etcdpilot.operator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The fields the operator owns on each of its objects, and where a live object differs from what it wants there.
 * "Differs" means a value the operator set is changed or gone, or a list it set has other elements; what the API
 * server or other controllers add (defaults, their own labels and annotations, status) is not a difference.
 */
final class OwnedFields {
  private OwnedFields() {}

  /** Owned paths per kind. StatefulSet replicas follow etcd's membership and are the membership planner's. */
  private static List<String> owned(HasMetadata o) {
    if (o instanceof StatefulSet) return List.of("spec.template", "spec.updateStrategy");
    if (o instanceof Service) return List.of("spec.ports", "spec.selector", "spec.publishNotReadyAddresses", "spec.type");
    if (o instanceof PodDisruptionBudget) return List.of("spec");
    if (o instanceof ConfigMap) return List.of("data");
    return List.of();
  }

  /** The owned fields of {@code live} that differ from {@code desired}, as dotted paths; empty when none. */
  static List<String> drifted(HasMetadata desired, HasMetadata live) {
    JsonNode d = Serialization.jsonMapper().valueToTree(desired);
    JsonNode l = Serialization.jsonMapper().valueToTree(live);
    List<String> out = new ArrayList<>();
    for (String path : owned(desired)) {
      JsonNode dn = at(d, path);
      JsonNode ln = at(l, path);
      if (desired instanceof ConfigMap) {
        // ConfigMap data is owned whole: a key added by hand is drift too.
        if (!dn.equals(ln) && !(isEmpty(dn) && isEmpty(ln))) out.add(path);
      } else {
        compare(dn, ln, path, out);
      }
    }
    return out;
  }

  private static JsonNode at(JsonNode root, String path) {
    JsonNode n = root;
    for (String part : path.split("\\.")) n = n == null ? null : n.get(part);
    return n;
  }

  private static void compare(JsonNode desired, JsonNode live, String path, List<String> out) {
    if (desired == null || desired.isNull()) return;
    if (live == null || live.isNull() || live.isMissingNode()) {
      if (!isEmpty(desired)) out.add(path);
      return;
    }
    if (desired.isObject()) {
      if (!live.isObject()) {
        out.add(path);
        return;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = desired.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        compare(e.getValue(), live.get(e.getKey()), path + "." + e.getKey(), out);
      }
    } else if (desired.isArray()) {
      if (!live.isArray() || live.size() != desired.size()) {
        out.add(path);
        return;
      }
      for (int i = 0; i < desired.size(); i++) compare(desired.get(i), live.get(i), path + "[" + i + "]", out);
    } else if (!sameScalar(desired, live)) {
      out.add(path);
    }
  }

  /** Equal text, or the same quantity written two ways (the API server writes 1024Mi back as 1Gi). */
  private static boolean sameScalar(JsonNode desired, JsonNode live) {
    if (desired.asText().equals(live.asText())) return true;
    if (!desired.isTextual() || !live.isTextual()) return false;
    try {
      return Quantity.getAmountInBytes(new Quantity(desired.asText()))
          .compareTo(Quantity.getAmountInBytes(new Quantity(live.asText()))) == 0;
    } catch (RuntimeException notAQuantity) {
      return false;
    }
  }

  /** What a server that omits empty values returns as absent. */
  private static boolean isEmpty(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) return true;
    if (n.isContainerNode()) return n.isEmpty();
    if (n.isBoolean()) return !n.asBoolean();
    if (n.isNumber()) return n.asDouble() == 0;
    return n.isTextual() && n.asText().isEmpty();
  }
}
