package io.etcdpilot.operator.validation;

import io.etcdpilot.operator.model.SpecViolation;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterSpec;
import io.etcdpilot.operator.api.v1alpha1.StorageSpec;
import io.etcdpilot.operator.model.ClusterObjects;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;

class ImmutableFieldsTest {
  static StatefulSet rendered(String size, String storageClass) {
    EtcdCluster c = new EtcdCluster();
    c.setMetadata(new ObjectMetaBuilder().withName("db").withNamespace("ns").withUid("u1").build());
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setReplicas(3);
    spec.setVersion("3.5.16");
    StorageSpec storage = new StorageSpec();
    storage.setSize(size);
    storage.setStorageClassName(storageClass);
    spec.setStorage(storage);
    c.setSpec(spec);
    return new ClusterObjects(c, "cluster.local").statefulSet();
  }

  @Test
  void unchangedStorageIsFine() {
    assertThat(ImmutableFields.refusedChanges(rendered("8Gi", null), rendered("8Gi", null))).isEmpty();
    // Same amount, other spelling.
    assertThat(ImmutableFields.refusedChanges(rendered("8Gi", null), rendered("8192Mi", null))).isEmpty();
    assertThat(ImmutableFields.refusedChanges(null, rendered("8Gi", null))).as("nothing live yet").isEmpty();
  }

  @Test
  void aClassChangeNamesItsFieldAndTheLiveTemplateIsKept() {
    StatefulSet live = rendered("8Gi", "ssd");
    StatefulSet desired = rendered("20Gi", "fast-ssd");
    // The size is VolumeSizing's: grown through the claims, never refused here.
    assertThat(ImmutableFields.refusedChanges(live, desired)).extracting(SpecViolation::field)
        .containsExactly("spec.storage.storageClassName");
    assertThat(ImmutableFields.refusedChanges(live, desired).get(0).message()).contains("ssd");
    assertThat(ImmutableFields.claimSize(live)).isEqualTo("8Gi");
    assertThat(ImmutableFields.claimSize(null)).isNull();
    StatefulSet sent = ImmutableFields.keepLive(live, desired);
    assertThat(sent.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(new Quantity("8Gi"));
    assertThat(sent.getSpec().getVolumeClaimTemplates().get(0).getSpec().getStorageClassName()).isEqualTo("ssd");
  }
}
