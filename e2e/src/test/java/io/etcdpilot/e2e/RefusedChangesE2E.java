package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Changes that cannot be carried out are answered clearly and leave the cluster alone: the API server refuses what
 * the CRD schema forbids; the operator refuses what a live StatefulSet cannot take, and never sends it (a real API
 * server would answer every such write with 422, a retry storm).
 */
@ExtendWith(TargetExtension.class)
class RefusedChangesE2E {

  @Test
  void schemaRefusesTooManyReplicasNamingTheField(TargetCluster target) {
    String ns = "refused-schema";
    Scenario.readyCluster(target, ns, "etcd", 1, s -> { });
    long generation = get(target, ns).getMetadata().getGeneration();
    TargetCluster.Exec patch = target.kubectl("patch", "etcdcluster", "etcd", "-n", ns, "--type=merge",
        "-p", "{\"spec\":{\"replicas\":11}}");
    assertThat(patch.exitCode()).as(patch.output()).isNotZero();
    assertThat(patch.output()).contains("spec.replicas").contains("9");
    assertThat(get(target, ns).getMetadata().getGeneration()).isEqualTo(generation);
    assertThat(get(target, ns).getSpec().getReplicas()).isEqualTo(1);
  }

  @Test
  void storageSizeChangeIsReportedAndNeverSentToTheApiServer(TargetCluster target) {
    String ns = "refused-storage";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> { });
    Map<String, String> podsBefore = podUids(target, ns);
    long refusedBefore = ApiServerMetrics.requests(target.apiServerMetrics(), "statefulsets", "422");

    TargetCluster.Exec patch = target.kubectl("patch", "etcdcluster", "etcd", "-n", ns, "--type=merge",
        "-p", "{\"spec\":{\"storage\":{\"size\":\"4Gi\"}}}"); // a shrink
    assertThat(patch.exitCode()).as(patch.output()).isZero();
    long generation = get(target, ns).getMetadata().getGeneration();

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      var stalled = ClusterChecks.condition(get(target, ns), Conditions.STALLED);
      assertThat(stalled.getObservedGeneration()).isEqualTo(generation);
      assertThat(stalled.getStatus()).isEqualTo("True");
      assertThat(stalled.getReason()).isEqualTo("ChangeRefused");
      assertThat(stalled.getMessage()).contains("spec.storage.size", "cannot shrink");
    });
    // Several passes later (pod and timer events keep coming), still not one refused StatefulSet write.
    await().during(Duration.ofSeconds(15)).atMost(Duration.ofSeconds(20)).until(() ->
        ApiServerMetrics.requests(target.apiServerMetrics(), "statefulsets", "422") == refusedBefore);
    assertThat(target.client().apps().statefulSets().inNamespace(ns).withName("etcd").get().getSpec()
        .getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("8Gi"));
    assertThat(Conditions.isTrue(ClusterChecks.conditions(get(target, ns)), Conditions.READY)).isTrue();
    assertThat(podUids(target, ns)).as("no member restarted").isEqualTo(podsBefore);

    // Setting it back clears the condition.
    target.kubectl("patch", "etcdcluster", "etcd", "-n", ns, "--type=merge", "-p", "{\"spec\":{\"storage\":{\"size\":\"8Gi\"}}}");
    await().atMost(Duration.ofSeconds(60)).until(() ->
        !Conditions.isTrue(ClusterChecks.conditions(get(target, ns)), Conditions.STALLED));
  }

  private static EtcdCluster get(TargetCluster target, String ns) {
    return target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
  }

  private static Map<String, String> podUids(TargetCluster target, String ns) {
    Map<String, String> out = new java.util.TreeMap<>();
    target.client().pods().inNamespace(ns).list().getItems().forEach(p -> out.put(p.getMetadata().getName(), p.getMetadata().getUid()));
    return out;
  }
}
