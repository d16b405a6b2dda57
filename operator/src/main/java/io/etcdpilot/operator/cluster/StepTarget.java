package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.MaintenanceStatus;
import io.etcdpilot.operator.api.v1alpha1.MemberFailure;
import io.etcdpilot.operator.api.v1alpha1.Operation;
import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.EtcdConnection;
import io.etcdpilot.operator.kube.PassEvents;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.plan.OperationType;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * What a step acts on: this pass's snapshot and what was rendered from it, and where its Events go.
 *
 * @param statefulSet the live StatefulSet
 * @param desiredStatefulSet the StatefulSet as this pass renders it (at its live size)
 * @param maintenance status.maintenance as this pass carries it
 */
record StepTarget(EtcdCluster cluster, ClusterObjects objects, ClusterState state, StatefulSet statefulSet,
    StatefulSet desiredStatefulSet, ConfigMap stateConfigMap, Observation seen, KubeCache cache, PassEvents events,
    MaintenanceStatus maintenance) {
  ClusterNames names() {
    return objects.names();
  }

  ClusterObservation observation() {
    return seen.etcd();
  }

  /** Present whenever etcd answered this pass (steps are taken only then). */
  EtcdConnection connection() {
    return seen.connection().orElseThrow();
  }

  List<String> clientUrls() {
    return seen.clientUrls();
  }

  /** The last member that failed to join, as the last status says. */
  MemberFailure lastFailure() {
    return cluster.getStatus() == null ? null : cluster.getStatus().getMemberFailure();
  }

  /** The operation to report; keeps the start time of one of the same type, so status does not churn while it runs. */
  Operation operation(OperationType type, String target, String message, Instant now, boolean restartClock) {
    Operation previous = cluster.getStatus() == null ? null : cluster.getStatus().getOperation();
    String started = !restartClock && previous != null && type.name().equals(previous.getType()) ? previous.getStarted()
        : now.truncatedTo(ChronoUnit.SECONDS).toString();
    return new Operation(type.name(), target, started, message);
  }
}
