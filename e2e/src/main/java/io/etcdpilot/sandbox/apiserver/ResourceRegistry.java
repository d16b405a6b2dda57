package io.etcdpilot.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdpilot.sandbox.apiserver.ResourceType.PrinterColumn;
import io.etcdpilot.sandbox.apiserver.ResourceType.Scale;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The built-in kinds the operator and kubectl touch, plus every kind a stored CRD defines. */
public final class ResourceRegistry {
  private final Map<String, ResourceType> types = new ConcurrentHashMap<>();

  public ResourceRegistry() {
    Scale stsScale = new Scale(".spec.replicas", ".status.replicas", ".status.labelSelector");
    add(core("Namespace", "namespaces", List.of("ns"), false, true, List.of(),
        List.of(col("Status", ".status.phase"))));
    add(core("Pod", "pods", List.of("po"), true, true, List.of("all"), List.of()));
    add(core("Service", "services", List.of("svc"), true, true, List.of("all"), List.of()));
    add(core("ConfigMap", "configmaps", List.of("cm"), true, false, List.of(), List.of()));
    add(core("Secret", "secrets", List.of(), true, false, List.of(), List.of(col("Type", ".type"))));
    add(core("Event", "events", List.of("ev"), true, false, List.of(), List.of()));
    add(core("PersistentVolumeClaim", "persistentvolumeclaims", List.of("pvc"), true, true, List.of(), List.of(
        col("Status", ".status.phase"), col("Capacity", ".status.capacity.storage"),
        col("StorageClass", ".spec.storageClassName"))));
    add(core("ServiceAccount", "serviceaccounts", List.of("sa"), true, false, List.of(), List.of()));
    add(core("Endpoints", "endpoints", List.of("ep"), true, false, List.of(), List.of()));
    add(new ResourceType("apps", "v1", "StatefulSet", "statefulsets", "statefulset", List.of("sts"), true, true,
        stsScale, List.of("all"), List.of()));
    add(new ResourceType("apps", "v1", "ControllerRevision", "controllerrevisions", "controllerrevision", List.of(),
        true, false, null, List.of(), List.of(col("Revision", ".revision"))));
    add(new ResourceType("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget",
        List.of("pdb"), true, true, null, List.of(), List.of(
            col("Min Available", ".spec.minAvailable"), col("Max Unavailable", ".spec.maxUnavailable"),
            col("Allowed Disruptions", ".status.disruptionsAllowed"))));
    add(new ResourceType("coordination.k8s.io", "v1", "Lease", "leases", "lease", List.of(), true, false, null,
        List.of(), List.of(col("Holder", ".spec.holderIdentity"))));
    add(new ResourceType("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews",
        "selfsubjectrulesreview", List.of(), false, false, null, List.of(), List.of()));
    add(new ResourceType("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews",
        "selfsubjectaccessreview", List.of(), false, false, null, List.of(), List.of()));
    add(new ResourceType("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
        "customresourcedefinition", List.of("crd", "crds"), false, true, null, List.of(), List.of()));
  }

  private static ResourceType core(String kind, String plural, List<String> shortNames, boolean namespaced,
      boolean status, List<String> categories, List<PrinterColumn> columns) {
    return new ResourceType("", "v1", kind, plural, kind.toLowerCase(), shortNames, namespaced, status, null,
        categories, columns);
  }

  private static PrinterColumn col(String name, String path) {
    return new PrinterColumn(name, "string", path, 0);
  }

  public void add(ResourceType t) {
    types.put(t.key(), t);
  }

  public Optional<ResourceType> find(String group, String version, String plural) {
    ResourceType t = types.get(group + "/" + plural);
    return t != null && t.version().equals(version) ? Optional.of(t) : Optional.empty();
  }

  public Optional<ResourceType> byKind(String apiVersion, String kind) {
    return types.values().stream().filter(t -> t.apiVersion().equals(apiVersion) && t.kind().equals(kind)).findFirst();
  }

  public Collection<ResourceType> all() {
    return new ArrayList<>(types.values());
  }

  /** Registers (or re-registers) the served version of a CustomResourceDefinition. */
  public List<ResourceType> registerCrd(JsonNode crd) {
    JsonNode spec = crd.path("spec");
    String group = spec.path("group").asText();
    JsonNode names = spec.path("names");
    List<ResourceType> added = new ArrayList<>();
    for (JsonNode v : spec.path("versions")) {
      if (!v.path("served").asBoolean(true)) continue;
      List<String> shortNames = new ArrayList<>();
      names.path("shortNames").forEach(n -> shortNames.add(n.asText()));
      List<String> categories = new ArrayList<>();
      names.path("categories").forEach(n -> categories.add(n.asText()));
      List<PrinterColumn> columns = new ArrayList<>();
      v.path("additionalPrinterColumns").forEach(c -> columns.add(new PrinterColumn(c.path("name").asText(),
          c.path("type").asText("string"), c.path("jsonPath").asText(), c.path("priority").asInt(0))));
      JsonNode sub = v.path("subresources");
      Scale scale = sub.has("scale") ? new Scale(sub.path("scale").path("specReplicasPath").asText(),
          sub.path("scale").path("statusReplicasPath").asText(),
          sub.path("scale").path("labelSelectorPath").asText(null)) : null;
      ResourceType t = new ResourceType(group, v.path("name").asText(), names.path("kind").asText(),
          names.path("plural").asText(), names.path("singular").asText(names.path("kind").asText().toLowerCase()),
          shortNames, !"Cluster".equals(spec.path("scope").asText()), sub.has("status"), scale, categories, columns);
      add(t);
      added.add(t);
    }
    return added;
  }

  public void unregisterCrd(JsonNode crd) {
    JsonNode spec = crd.path("spec");
    types.remove(spec.path("group").asText() + "/" + spec.path("names").path("plural").asText());
  }
}
