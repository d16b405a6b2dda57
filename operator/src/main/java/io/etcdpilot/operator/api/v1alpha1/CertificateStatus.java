package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Certificate expiry as a user needs it; changes only when certificates rotate. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CertificateStatus {
  @JsonPropertyDescription("When the CA that issues the cluster's certificates expires.")
  private String caNotAfter;
  @JsonPropertyDescription("When the first member or client certificate expires (it is renewed before).")
  private String certificatesNotAfter;
  @JsonPropertyDescription("Certificate phase: Stable; CA rotation: TrustingNewCA, PresentingNewCA, DroppingOldCA; RestrictingPeerPort while reissued peer certificates reach the members, before members require them on port 2380.")
  private String phase;

  public CertificateStatus() {}

  public CertificateStatus(String caNotAfter, String certificatesNotAfter, String phase) {
    this.caNotAfter = caNotAfter;
    this.certificatesNotAfter = certificatesNotAfter;
    this.phase = phase;
  }

  public String getCaNotAfter() { return caNotAfter; }
  public void setCaNotAfter(String caNotAfter) { this.caNotAfter = caNotAfter; }
  public String getCertificatesNotAfter() { return certificatesNotAfter; }
  public void setCertificatesNotAfter(String v) { this.certificatesNotAfter = v; }
  public String getPhase() { return phase; }
  public void setPhase(String phase) { this.phase = phase; }

  @Override
  public boolean equals(Object o) {
    return o instanceof CertificateStatus c && Objects.equals(caNotAfter, c.caNotAfter)
        && Objects.equals(certificatesNotAfter, c.certificatesNotAfter) && Objects.equals(phase, c.phase);
  }

  @Override
  public int hashCode() { return Objects.hash(caNotAfter, certificatesNotAfter, phase); }
}
