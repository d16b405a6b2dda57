package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** How a new cluster starts; honoured only when it is created. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BootstrapSpec {
  @JsonPropertyDescription("Start every founding member from this snapshot (etcd 3.5+).")
  private FromSnapshot fromSnapshot;

  public FromSnapshot getFromSnapshot() { return fromSnapshot; }
  public void setFromSnapshot(FromSnapshot fromSnapshot) { this.fromSnapshot = fromSnapshot; }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof BootstrapSpec x)) return false;
    return Objects.equals(fromSnapshot, x.fromSnapshot);
  }

  @Override
  public int hashCode() { return Objects.hash(fromSnapshot); }
}
