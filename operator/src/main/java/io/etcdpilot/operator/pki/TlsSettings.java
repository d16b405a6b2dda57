package io.etcdpilot.operator.pki;

import io.etcdpilot.operator.api.v1alpha1.TlsSpec;
import io.etcdpilot.operator.model.Durations;
import java.time.Duration;

/** spec.tls with defaults applied. */
public record TlsSettings(boolean enabled, String caSecretName, RenewalPolicy ca, RenewalPolicy leaves) {
  public static final Duration DEFAULT_CA_VALIDITY = Duration.ofHours(43800);
  public static final Duration DEFAULT_LEAF_VALIDITY = Duration.ofHours(8760);

  public static TlsSettings of(TlsSpec spec) {
    TlsSpec s = spec == null ? new TlsSpec() : spec;
    boolean enabled = s.getEnabled() == null || s.getEnabled();
    Duration caValidity = s.getCaValidity() == null ? DEFAULT_CA_VALIDITY : Durations.parse(s.getCaValidity());
    Duration caRenew = s.getCaRenewBefore() == null ? caValidity.dividedBy(3) : Durations.parse(s.getCaRenewBefore());
    Duration leafValidity = s.getCertificateValidity() == null ? DEFAULT_LEAF_VALIDITY : Durations.parse(s.getCertificateValidity());
    Duration leafRenew = s.getCertificateRenewBefore() == null ? leafValidity.dividedBy(3) : Durations.parse(s.getCertificateRenewBefore());
    String caSecret = s.getCaSecretName() == null || s.getCaSecretName().isBlank() ? null : s.getCaSecretName();
    return new TlsSettings(enabled, caSecret, RenewalPolicy.of(caValidity, caRenew), RenewalPolicy.of(leafValidity, leafRenew));
  }
}
