package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.SnapshotsSpec;
import io.etcdpilot.operator.drill.DrillJob;
import io.etcdpilot.operator.drill.DrillPlan;
import io.etcdpilot.operator.kube.PassEvents;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.restore.RestorePlan;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;

/**
 * Carries out restore drills ({@link DrillPlan}): starts a drill's Job, reads its verdict from the pod, removes the
 * Job once it has one, and says so in Events. Never touches a member.
 */
final class DrillSteps {
  private final KubernetesClient client;
  private final String agentImage;

  DrillSteps(KubernetesClient client, String agentImage) {
    this.client = client;
    this.agentImage = agentImage;
  }

  DrillPlan.Plan apply(ClusterState state, ClusterObjects objects, KubeCache cache, PassEvents events, Instant now) {
    EtcdCluster cluster = state.cluster();
    SnapshotsSpec spec = cluster.getSpec().getSnapshots();
    String jobSnapshot = state.drillJob() == null ? null : state.drillJob().getMetadata().getAnnotations() == null
        ? "unknown" : state.drillJob().getMetadata().getAnnotations().getOrDefault(DrillJob.SNAPSHOT_ANNOTATION, "unknown");
    DrillPlan.Plan plan = DrillPlan.decide(new DrillPlan.Inputs(spec == null ? null : spec.getVerify(),
        spec == null ? null : spec.getTimeZone(), cluster.getStatus() == null ? null : cluster.getStatus().getBackup(),
        Instant.parse(cluster.getMetadata().getCreationTimestamp()), state.snapshots(), jobSnapshot,
        state.drillJob() == null ? null : DrillJob.outcome(state.drillPod()), state.paused(), now));
    if (plan instanceof DrillPlan.Off off && off.deleteJob()) {
      delete(state);
    } else if (plan instanceof DrillPlan.Start start) {
      try {
        var source = RestorePlan.ofSnapshot(cluster, start.snapshot(), state.snapshotNamed(), state.clusterNamed());
        cache.write(client, DrillJob.of(objects, source, start.snapshot(), agentImage), null);
        events.normal("DrillStarted", "restoring EtcdSnapshot " + start.snapshot() + " into a scratch pod to check it");
      } catch (IllegalStateException e) {
        DrillPlan.Finish failed = failed(start, e.getMessage());
        events.warning(failed.reason(), failed.message());
        return failed;
      }
    } else if (plan instanceof DrillPlan.Finish finish) {
      if (state.drillJob() != null) delete(state);
      if (finish.passed()) events.normal(finish.reason(), finish.message());
      else events.warning(finish.reason(), finish.message());
    }
    return plan;
  }

  private static DrillPlan.Finish failed(DrillPlan.Start start, String why) {
    var b = new io.etcdpilot.operator.api.v1alpha1.BackupStatus(start.status());
    b.setDrillResult(io.etcdpilot.operator.api.v1alpha1.BackupStatus.Result.Failed);
    b.setDrillFinished(b.getDrillStarted());
    b.setDrillMessage(why);
    return new DrillPlan.Finish(false, DrillPlan.FAILED, "snapshot " + start.snapshot() + ": " + why, b);
  }

  private void delete(ClusterState state) {
    // The pod goes with its Job (and with it the scratch volume and the restored copy).
    client.batch().v1().jobs().inNamespace(state.names().namespace()).resource(state.drillJob())
        .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
  }
}
