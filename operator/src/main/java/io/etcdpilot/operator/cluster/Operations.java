package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.Operation;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Builds {@code status.operation}. */
final class Operations {
  private Operations() {}

  /** Keeps the start time of an operation of the same type, so status does not churn while it runs. */
  static Operation next(EtcdCluster cluster, String type, String target, String message, Instant now) {
    return next(cluster, type, target, message, now, false);
  }

  /** {@code restartClock} starts the clock anew (a learner's deadline counts from when it was added). */
  static Operation next(EtcdCluster cluster, String type, String target, String message, Instant now,
      boolean restartClock) {
    Operation previous = cluster.getStatus() == null ? null : cluster.getStatus().getOperation();
    String started = !restartClock && previous != null && type.equals(previous.getType()) ? previous.getStarted()
        : now.truncatedTo(ChronoUnit.SECONDS).toString();
    return new Operation(type, target, started, message);
  }
}
