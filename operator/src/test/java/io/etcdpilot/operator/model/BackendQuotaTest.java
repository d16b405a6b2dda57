package io.etcdpilot.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.api.v1alpha1.EtcdOptions;
import org.junit.jupiter.api.Test;

class BackendQuotaTest {
  static EtcdOptions quota(long bytes) {
    EtcdOptions o = new EtcdOptions();
    o.setQuotaBackendBytes(bytes);
    return o;
  }

  @Test
  void derivedFromTheVolumeAtEightyPercentUpToEtcdsMaximum() {
    assertThat(BackendQuota.of(null, BackendQuota.bytes("1Gi"))).isEqualTo(858993440L);
    assertThat(BackendQuota.of(new EtcdOptions(), BackendQuota.bytes("8Gi"))).isEqualTo(6871947600L);
    assertThat(BackendQuota.of(null, BackendQuota.bytes("10Gi"))).isEqualTo(8589934560L);
    assertThat(BackendQuota.of(null, BackendQuota.bytes("100Gi"))).isEqualTo(BackendQuota.ETCD_MAX);
    assertThat(BackendQuota.of(quota(0), BackendQuota.bytes("1Gi"))).isEqualTo(858993440L);
  }

  @Test
  void anExplicitQuotaWinsAndMustLeaveTheVolumeRoom() {
    assertThat(BackendQuota.of(quota(500_000_000L), BackendQuota.bytes("1Gi"))).isEqualTo(500_000_000L);
    assertThat(BackendQuota.misfit(quota(500_000_000L), BackendQuota.bytes("1Gi"))).isEmpty();
    assertThat(BackendQuota.misfit(quota(1_000_000_000L), BackendQuota.bytes("1Gi"))).hasValueSatisfying(m ->
        assertThat(m).contains("spec.etcd.quotaBackendBytes", "spec.storage.size", "90%"));
    assertThat(BackendQuota.misfit(null, BackendQuota.bytes("1Gi"))).isEmpty();
  }
}
