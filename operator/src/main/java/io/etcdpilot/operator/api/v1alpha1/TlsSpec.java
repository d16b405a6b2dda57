package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class TlsSpec {
  @Default("false")
  @JsonPropertyDescription("Mutual TLS on the client (2379) and peer (2380) planes. Operator-managed certificates are not implemented yet, so this must stay false for now.")
  private Boolean enabled = false;

  public Boolean getEnabled() { return enabled; }
  public void setEnabled(Boolean enabled) { this.enabled = enabled; }
}
