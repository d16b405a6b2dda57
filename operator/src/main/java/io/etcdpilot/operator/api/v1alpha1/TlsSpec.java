package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** Transport security of both planes: on by default, with the operator's CA or the user's, and certificate lifetimes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TlsSpec {
  static final String DURATION = "^([0-9]+(\\.[0-9]+)?(h|m|s))+$";

  @Default("true")
  @JsonPropertyDescription("Mutual TLS on the client (2379) and peer (2380) planes. Default true; false raises a TLSDisabled warning condition.")
  private Boolean enabled = true;

  @JsonPropertyDescription("Secret (same namespace) holding your own CA as tls.crt and tls.key; the operator issues every certificate from it. Empty: the operator runs its own CA.")
  private String caSecretName;

  @Pattern(DURATION)
  @JsonPropertyDescription("Validity of the operator's own CA, e.g. 43800h (5 years, default).")
  private String caValidity;

  @Pattern(DURATION)
  @JsonPropertyDescription("How long before expiry the operator replaces its CA. Default: a third of caValidity.")
  private String caRenewBefore;

  @Pattern(DURATION)
  @JsonPropertyDescription("Validity of member and client certificates, e.g. 8760h (1 year, default).")
  private String certificateValidity;

  @Pattern(DURATION)
  @JsonPropertyDescription("How long before expiry member and client certificates are renewed. Default: a third of certificateValidity.")
  private String certificateRenewBefore;

  public Boolean getEnabled() { return enabled; }
  public void setEnabled(Boolean enabled) { this.enabled = enabled; }
  public String getCaSecretName() { return caSecretName; }
  public void setCaSecretName(String caSecretName) { this.caSecretName = caSecretName; }
  public String getCaValidity() { return caValidity; }
  public void setCaValidity(String caValidity) { this.caValidity = caValidity; }
  public String getCaRenewBefore() { return caRenewBefore; }
  public void setCaRenewBefore(String caRenewBefore) { this.caRenewBefore = caRenewBefore; }
  public String getCertificateValidity() { return certificateValidity; }
  public void setCertificateValidity(String certificateValidity) { this.certificateValidity = certificateValidity; }
  public String getCertificateRenewBefore() { return certificateRenewBefore; }
  public void setCertificateRenewBefore(String v) { this.certificateRenewBefore = v; }
}
