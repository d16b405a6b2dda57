package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.etcd.EtcdAdmin;
import io.etcdpilot.operator.etcd.EtcdObserver;
import io.etcdpilot.operator.health.ReconcileWatch;
import io.etcdpilot.operator.kube.LeaseFence;
import io.etcdpilot.operator.metrics.ClusterMetrics;
import io.etcdpilot.operator.snapshot.SnapshotJobs;
import io.etcdpilot.operator.snapshot.SnapshotTaker;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;

/**
 * What the cluster reconciler is built from: the edges it talks through (Kubernetes, etcd), its settings, and the
 * process-wide pieces it shares (snapshot threads, metrics, the record of passes /healthz reads, the Lease fence).
 */
public record Dependencies(KubernetesClient client, EtcdObserver observer, EtcdAdmin admin, OperatorSettings settings,
    Clock clock, SnapshotJobs snapshotJobs, SnapshotTaker snapshotTaker, ClusterMetrics metrics, ReconcileWatch passes,
    LeaseFence fence) {}
