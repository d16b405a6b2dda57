package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Members are admitted by Pod Security admission under the restricted profile, which is really enforced in the
 * namespaces scenarios use; and the operator runs with the chart's RBAC, no more.
 */
@ExtendWith(TargetExtension.class)
class PodSecurityE2E {

  @Test
  void membersAreAdmittedWhereOnlyRestrictedPodsMayRun(TargetCluster target) {
    String ns = "restricted";
    Scenario.readyCluster(target, ns, "etcd", 1, s -> { });
    assertThat(target.client().namespaces().withName(ns).get().getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
    assertThat(target.client().pods().inNamespace(ns).withName("etcd-0").get().getStatus().getPhase()).isEqualTo("Running");

    // The same namespace turns away a pod that does not meet the profile: admission is live, not a label.
    Pod careless = new PodBuilder().withNewMetadata().withName("careless").withNamespace(ns).endMetadata()
        .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build();
    assertThatThrownBy(() -> target.client().pods().inNamespace(ns).resource(careless).dryRun().create())
        .isInstanceOf(KubernetesClientException.class).hasMessageContaining("violates PodSecurity \"restricted");
  }

  @Test
  void operatorPodFromTheChartIsAdmittedUnderRestricted(TargetCluster target) throws Exception {
    // The sandbox runs the operator as a process; the pod the chart would run is checked by a server-side dry run
    // in its restricted namespace, so admission is decided by the real PodSecurity plugin.
    String yaml = io.etcdpilot.sandbox.ChartRelease.template(java.nio.file.Path.of("../charts/etcdpilot"),
        io.etcdpilot.sandbox.OperatorInstall.RELEASE, io.etcdpilot.sandbox.OperatorInstall.NAMESPACE);
    var deployment = io.fabric8.kubernetes.client.utils.Serialization.<java.util.List<io.fabric8.kubernetes.api.model.HasMetadata>>unmarshal(yaml)
        .stream().filter(o -> o instanceof io.fabric8.kubernetes.api.model.apps.Deployment)
        .map(o -> (io.fabric8.kubernetes.api.model.apps.Deployment) o).findFirst().orElseThrow();
    String ns = io.etcdpilot.sandbox.OperatorInstall.NAMESPACE;
    assertThat(target.client().namespaces().withName(ns).get().getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
    Pod operatorPod = new PodBuilder().withNewMetadata().withName("operator-admission-check").withNamespace(ns)
        .withLabels(deployment.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
        .withSpec(deployment.getSpec().getTemplate().getSpec()).build();
    Pod admitted = target.client().pods().inNamespace(ns).resource(operatorPod).dryRun().create();
    assertThat(admitted.getMetadata().getName()).isEqualTo("operator-admission-check");
    assertThat(target.client().pods().inNamespace(ns).withName("operator-admission-check").get()).as("dry run only").isNull();
  }

  /** kubectl auth can-i's answer: its last line (warnings, e.g. about cluster-scoped resources, come first). */
  private static String answer(TargetCluster.Exec can) {
    List<String> lines = can.output().lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }

  @Test
  void operatorAccountHasTheChartsPermissionsAndNoMore(TargetCluster target) {
    String as = "--as=system:serviceaccount:etcdpilot-system:etcdpilot";
    for (String allowed : new String[] {"watch etcdclusters.etcdpilot.io", "update etcdclusters.etcdpilot.io --subresource=status",
        "update statefulsets.apps", "delete pods", "create secrets", "delete persistentvolumeclaims",
        "create poddisruptionbudgets.policy",
        // re-created when volumes grow (its claim template is immutable); restore drills run as Jobs
        "delete statefulsets.apps", "create jobs.batch", "delete jobs.batch"}) {
      assertThat(answer(target.kubectl(("auth can-i " + allowed + " -n anywhere " + as).split(" ")))).as(allowed).isEqualTo("yes");
    }
    for (String denied : new String[] {"update etcdclusters.etcdpilot.io", "create pods", "delete nodes",
        "create clusterroles.rbac.authorization.k8s.io", "delete secrets", "update jobs.batch"}) {
      assertThat(answer(target.kubectl(("auth can-i " + denied + " -n anywhere " + as).split(" ")))).as(denied).isEqualTo("no");
    }
  }
}
