package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import java.util.List;
import java.util.Map;

/** Where members run: node selection, tolerations, affinity (default: one member per node), spread, priority. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SchedulingSpec {
  @JsonPropertyDescription("Node labels a member's node must have (e.g. dedicated SSD nodes).")
  private Map<String, String> nodeSelector;
  @JsonPropertyDescription("Tolerations, e.g. for taints on dedicated etcd nodes.")
  private List<Toleration> tolerations;
  @JsonPropertyDescription("Affinity rules. When empty, a required pod anti-affinity keeps one member per node.")
  private Affinity affinity;
  @JsonPropertyDescription("Spread constraints, e.g. across zones.")
  private List<TopologySpreadConstraint> topologySpreadConstraints;
  @JsonPropertyDescription("PriorityClass of member pods.")
  private String priorityClassName;

  public Map<String, String> getNodeSelector() { return nodeSelector; }
  public void setNodeSelector(Map<String, String> nodeSelector) { this.nodeSelector = nodeSelector; }
  public List<Toleration> getTolerations() { return tolerations; }
  public void setTolerations(List<Toleration> tolerations) { this.tolerations = tolerations; }
  public Affinity getAffinity() { return affinity; }
  public void setAffinity(Affinity affinity) { this.affinity = affinity; }
  public List<TopologySpreadConstraint> getTopologySpreadConstraints() { return topologySpreadConstraints; }
  public void setTopologySpreadConstraints(List<TopologySpreadConstraint> c) { this.topologySpreadConstraints = c; }
  public String getPriorityClassName() { return priorityClassName; }
  public void setPriorityClassName(String priorityClassName) { this.priorityClassName = priorityClassName; }
}
