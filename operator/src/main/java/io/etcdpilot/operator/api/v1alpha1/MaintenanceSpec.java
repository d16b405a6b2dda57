package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Day-two care the operator gives a cluster on its own: defragmentation (and with it NOSPACE recovery). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MaintenanceSpec {
  @JsonPropertyDescription("When members are defragmented. On by default.")
  private DefragPolicy defrag;

  public DefragPolicy getDefrag() { return defrag; }
  public void setDefrag(DefragPolicy defrag) { this.defrag = defrag; }

  @Override
  public boolean equals(Object o) {
    return o instanceof MaintenanceSpec x && Objects.equals(defrag, x.defrag);
  }

  @Override
  public int hashCode() { return Objects.hashCode(defrag); }
}
