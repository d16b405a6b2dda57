package io.etcdpilot.operator.snapshot;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterStatus;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshotSpec;
import io.etcdpilot.operator.kube.EventRecorder;
import io.etcdpilot.operator.kube.PassEvents;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot schedule's part of a cluster pass: carries out {@link SnapshotPlan} (creates the scheduled EtcdSnapshot,
 * hands retention to {@link SnapshotJobs}), and puts what the plan says into the status being written.
 */
public final class SnapshotScheduling {
  public static final String CONDITION = "SnapshotsHealthy";
  private static final Logger log = LoggerFactory.getLogger(SnapshotScheduling.class);

  private final KubernetesClient client;
  private final SnapshotJobs jobs;
  private final SnapshotTaker taker;
  /** Retention runs in the background, after the pass: its Events are written directly. */
  private final EventRecorder recorder;

  public SnapshotScheduling(KubernetesClient client, SnapshotJobs jobs, SnapshotTaker taker, EventRecorder recorder) {
    this.client = client;
    this.jobs = jobs;
    this.taker = taker;
    this.recorder = recorder;
  }

  /** Carries out what the schedule asks of this pass (create the scheduled snapshot, prune); returns the plan. */
  public SnapshotPlan.Plan apply(EtcdCluster cluster, List<EtcdSnapshot> snapshots, PassEvents events, Instant now) {
    EtcdClusterStatus previous = cluster.getStatus();
    SnapshotPlan.Plan plan = SnapshotPlan.of(cluster.getMetadata().getName(), cluster.getSpec().getSnapshots(),
        snapshots, previous == null ? null : previous.getLastScheduleTime(),
        Instant.parse(cluster.getMetadata().getCreationTimestamp()), now);
    if (plan.create() != null) create(cluster, plan.create(), events);
    if (plan.skipped()) {
      events.normal("SnapshotSkipped", "the schedule fired while a snapshot was still running; skipped");
    }
    for (String name : plan.prune()) {
      snapshots.stream().filter(s -> s.getMetadata().getName().equals(name)).findFirst()
          .ifPresent(s -> jobs.background(cluster.getMetadata().getNamespace() + "/" + name, () -> prune(cluster, s)));
    }
    return plan;
  }

  /** What the plan says in {@code status}: the newest snapshot, the schedule's times, and its health condition. */
  public static void report(SnapshotPlan.Plan plan, EtcdCluster cluster, EtcdClusterStatus status, Instant now) {
    EtcdClusterStatus previous = cluster.getStatus();
    status.setLastSnapshot(plan.last());
    status.setNextSnapshotTime(plan.nextSnapshotTime());
    status.setLastScheduleTime(plan.lastScheduleTime());
    if (plan.health() != null) {
      List<Condition> conditions = new ArrayList<>(status.getConditions());
      conditions.add(Conditions.next(previous == null ? null : previous.getConditions(), CONDITION,
          plan.health().healthy(), plan.health().reason(), plan.health().message(),
          cluster.getMetadata().getGeneration(), now));
      status.setConditions(conditions);
    }
  }

  private void create(EtcdCluster cluster, String name, PassEvents events) {
    create(cluster, name, true, events, "SnapshotScheduled", "created EtcdSnapshot " + name);
  }

  /**
   * The snapshot a change of minor version waits for: on demand (retention never prunes it), owned by the cluster;
   * created once.
   */
  public void beforeVersionChange(EtcdCluster cluster, String name, String change, PassEvents events) {
    create(cluster, name, false, events, "UpgradeSnapshot", "created EtcdSnapshot " + name + " before " + change
        + ": the way back; the change starts once it has succeeded");
  }

  /** The survivor's data, taken without quorum from {@code member}, for a quorum recovery; created once. */
  public void forRecovery(EtcdCluster cluster, String name, String member, PassEvents events, String message) {
    create(cluster, name, false, member, events, "QuorumRecovery", message);
  }

  private void create(EtcdCluster cluster, String name, boolean scheduled, PassEvents events, String reason,
      String message) {
    create(cluster, name, scheduled, null, events, reason, message);
  }

  private void create(EtcdCluster cluster, String name, boolean scheduled, String member, PassEvents events,
      String reason, String message) {
    EtcdSnapshot s = new EtcdSnapshot();
    Map<String, String> labels = new java.util.HashMap<>(Map.of(ClusterNames.LABEL_CLUSTER, cluster.getMetadata().getName(),
        ClusterNames.LABEL_MANAGED_BY, ClusterNames.MANAGED_BY));
    if (scheduled) labels.put(EtcdSnapshot.SCHEDULED_LABEL, "true");
    s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(cluster.getMetadata().getNamespace())
        .withLabels(labels)
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(cluster.getApiVersion()).withKind(cluster.getKind())
            .withName(cluster.getMetadata().getName()).withUid(cluster.getMetadata().getUid()).build())
        .build());
    EtcdSnapshotSpec spec = new EtcdSnapshotSpec();
    spec.setClusterName(cluster.getMetadata().getName());
    spec.setMember(member);
    s.setSpec(spec);
    try {
      client.resource(s).create();
      events.normal(reason, message);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) throw e; // already created for this run
    }
  }

  /**
   * Retention: the stored objects first, then the record (so no record ever points at nothing). Only objects whose
   * manifest names this cluster are deleted: a record pointing elsewhere loses its record, never another's backup.
   */
  private void prune(EtcdCluster cluster, EtcdSnapshot snapshot) {
    String ns = snapshot.getMetadata().getNamespace();
    if (snapshot.getStatus() != null && snapshot.getStatus().getLocation() != null) {
      try {
        taker.deleteObjects(snapshot, SnapshotTaker.storedIn(snapshot, cluster), ns, cluster.getMetadata().getName());
      } catch (SnapshotTaker.Refused e) {
        recorder.warning(cluster, "SnapshotObjectsKept", snapshot.getMetadata().getName() + ": " + e.getMessage());
      } catch (Exception e) {
        log.warn("retention could not delete the objects of snapshot {}/{}: {}", ns, snapshot.getMetadata().getName(),
            e.toString());
        recorder.warning(cluster, "SnapshotPruneFailed", "could not delete the objects of " + snapshot.getMetadata().getName()
            + ": " + e.getMessage());
        return;
      }
    }
    client.resource(snapshot).delete();
    recorder.normal(cluster, "SnapshotPruned", "deleted " + snapshot.getMetadata().getName() + " (retention)");
  }
}
