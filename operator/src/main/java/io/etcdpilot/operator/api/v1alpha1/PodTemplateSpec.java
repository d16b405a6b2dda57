package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;

/** Extra metadata for member pods (labels and annotations only: the rest of the pod is the operator's). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodTemplateSpec {
  @JsonPropertyDescription("Extra metadata for member pods.")
  private Metadata metadata;

  public Metadata getMetadata() { return metadata; }
  public void setMetadata(Metadata metadata) { this.metadata = metadata; }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Metadata {
    @JsonPropertyDescription("Extra labels; the operator's own labels win on conflict.")
    private Map<String, String> labels;
    @JsonPropertyDescription("Extra annotations.")
    private Map<String, String> annotations;

    public Map<String, String> getLabels() { return labels; }
    public void setLabels(Map<String, String> labels) { this.labels = labels; }
    public Map<String, String> getAnnotations() { return annotations; }
    public void setAnnotations(Map<String, String> annotations) { this.annotations = annotations; }
  }
}
