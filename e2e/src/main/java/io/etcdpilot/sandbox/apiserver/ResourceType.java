package io.etcdpilot.sandbox.apiserver;

import java.util.List;

/** One kind the sandbox API server serves, with what discovery, tables and subresources need to know. */
public record ResourceType(
    String group,
    String version,
    String kind,
    String plural,
    String singular,
    List<String> shortNames,
    boolean namespaced,
    boolean statusSubresource,
    Scale scale,
    List<String> categories,
    List<PrinterColumn> columns) {

  /** Where the scale subresource reads and writes, as JSON paths (".spec.replicas"). */
  public record Scale(String specReplicasPath, String statusReplicasPath, String labelSelectorPath) {}

  public record PrinterColumn(String name, String type, String jsonPath, int priority) {}

  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** Unique key of the collection: group/plural. */
  public String key() {
    return group + "/" + plural;
  }

  public boolean matchesName(String name) {
    return plural.equals(name) || singular.equals(name) || shortNames.contains(name) || kind.equalsIgnoreCase(name);
  }
}
