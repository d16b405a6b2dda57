package io.etcdpilot.operator.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterSpec;
import io.etcdpilot.operator.api.v1alpha1.S3Destination;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.model.RestoreSource;
import io.etcdpilot.operator.model.RestoreSteps;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;

class DrillJobTest {
  static EtcdCluster cluster() {
    EtcdCluster c = new EtcdCluster();
    c.setMetadata(new ObjectMetaBuilder().withName("demo").withNamespace("prod").withUid("0123456789").build());
    c.setSpec(new EtcdClusterSpec());
    c.getSpec().setVersion("3.6.16");
    return c;
  }

  static Job job() {
    S3Destination store = new S3Destination();
    store.setBucket("backups");
    store.setRegion("us-east-1");
    store.setCredentialsSecretName("store");
    RestoreSource source = new RestoreSource(store, "prod/demo/demo-b.json", "keys", new RestoreSource.Expected("prod",
        "demo", "prod/demo/demo-b.db.zst", "00ff", 500L, 7L, false, false));
    return DrillJob.of(new ClusterObjects(cluster(), "cluster.local"), source, "demo-b", "etcdpilot:1");
  }

  @Test
  void aPodThatIsNeverAMember() {
    Job job = job();
    var pod = job.getSpec().getTemplate();
    assertThat(pod.getMetadata().getLabels()).containsEntry("etcdpilot.io/cluster", "demo")
        .containsEntry("app.kubernetes.io/component", DrillJob.COMPONENT)
        .doesNotContainKey("app.kubernetes.io/name").doesNotContainKey("app.kubernetes.io/instance");
    assertThat(job.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getName())
        .isEqualTo("demo"));
    assertThat(job.getSpec().getBackoffLimit()).isZero();
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(DrillJob.DEADLINE.toSeconds());
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getSpec().getVolumes()).singleElement().satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
    assertThat(pod.getSpec().getInitContainers()).extracting(c -> c.getName()).containsExactly("fetch", "restore-db");
    assertThat(pod.getSpec().getContainers()).extracting(c -> c.getName()).containsExactly("etcd", "check");
  }

  @Test
  void fetchesAsARestoringMemberWouldAndRestoresWithoutABump() {
    var pod = job().getSpec().getTemplate().getSpec();
    var fetch = pod.getInitContainers().get(0);
    assertThat(fetch.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo(RestoreSteps.ENV_MODE);
      assertThat(e.getValue()).isEqualTo(RestoreSteps.MODE_SNAPSHOT);
    });
    assertThat(fetch.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo(RestoreSteps.ENV_EXPECT_SHA256);
      assertThat(e.getValue()).isEqualTo("00ff");
    });
    assertThat(fetch.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("RESTORE_KEYSET"));
    var restore = pod.getInitContainers().get(1);
    assertThat(restore.getImage()).isEqualTo("gcr.io/etcd-development/etcd:v3.6.16");
    assertThat(restore.getArgs()).noneMatch(a -> a.startsWith("--bump-revision"));
    for (var c : pod.getContainers()) {
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    }
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
  }

  static Pod pod(String container, int exitCode, String message, boolean init) {
    var status = new ContainerStatusBuilder().withName(container).withNewState().withNewTerminated()
        .withExitCode(exitCode).withMessage(message).endTerminated().endState().build();
    PodBuilder b = new PodBuilder().withNewMetadata().withName("demo-drill-x").endMetadata().withNewStatus()
        .withPhase(exitCode == 0 ? "Running" : "Failed").endStatus();
    Pod p = b.build();
    if (init) p.getStatus().setInitContainerStatuses(java.util.List.of(status));
    else p.getStatus().setContainerStatuses(java.util.List.of(status));
    return p;
  }

  @Test
  void theVerdictComesFromThePod() {
    assertThat(DrillJob.outcome(null)).isInstanceOf(DrillPlan.Running.class);
    assertThat(DrillJob.outcome(pod("check", 0, null, false))).isInstanceOf(DrillPlan.Passed.class);
    assertThat(DrillJob.outcome(pod("check", 1, "waiting\ndrill failed: hash: differs", false)))
        .isEqualTo(new DrillPlan.Failed("hash: differs"));
    assertThat(DrillJob.outcome(pod("fetch", 1, "restore refused: sha256 mismatch", true)))
        .isEqualTo(new DrillPlan.Failed("fetch: restore refused: sha256 mismatch"));
  }
}
