package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.StorageSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.ExtendWith;

/** Deleting an EtcdCluster removes every process and object it owned; volumes follow spec.storage.onDelete. */
@ExtendWith(TargetExtension.class)
class DeletionE2E {

  @ParameterizedTest(name = "onDelete={0}")
  @EnumSource(StorageSpec.VolumePolicy.class)
  void deletionRemovesEverythingButRetainedVolumes(StorageSpec.VolumePolicy policy, TargetCluster target) {
    String ns = "del-" + policy.name().toLowerCase();
    Scenario.readyCluster(target, ns, "etcd", 3, s -> {
      StorageSpec storage = new StorageSpec();
      storage.setOnDelete(policy);
      s.setStorage(storage);
    });
    List<String> pods = List.of("etcd-0", "etcd-1", "etcd-2");
    assertThat(pods).allMatch(p -> target.memberProcessAlive(ns, p));
    assertThat(target.client().persistentVolumeClaims().inNamespace(ns).list().getItems()).hasSize(3);

    target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").delete();

    await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
      var c = target.client();
      assertThat(c.pods().inNamespace(ns).list().getItems()).isEmpty();
      assertThat(c.apps().statefulSets().inNamespace(ns).list().getItems()).isEmpty();
      assertThat(c.services().inNamespace(ns).list().getItems()).isEmpty();
      assertThat(c.configMaps().inNamespace(ns).withLabel("etcdpilot.io/cluster", "etcd").list().getItems()).isEmpty();
      assertThat(c.policy().v1().podDisruptionBudget().inNamespace(ns).list().getItems()).isEmpty();
      assertThat(pods).noneMatch(p -> target.memberProcessAlive(ns, p));
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(target.client().persistentVolumeClaims().inNamespace(ns).list().getItems())
            .hasSize(policy == StorageSpec.VolumePolicy.Retain ? 3 : 0));
  }
}
