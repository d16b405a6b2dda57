package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterStatus;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.plan.Step;
import java.time.Instant;
import java.util.Optional;

/**
 * The report stage's output: the status to write, the step the pass took (for metrics), and when the pass wants to
 * look again (for {@link Requeue}).
 */
record Report(EtcdCluster cluster, ClusterNames names, EtcdClusterStatus status, Optional<Step.Kind> stepTaken,
    Wakeups wakeups) {

  /**
   * What the next look depends on.
   *
   * @param busy not Ready, or a step under way
   * @param changed the status differs from the last one written
   * @param renewalDue when the first certificate falls due for renewal
   * @param settlesAt when certificates written to the members have had time to reach them
   * @param nextSnapshot when the snapshot schedule or a restore drill is next due, whichever comes first
   * @param writesRefused the API server refused a write: what refused it (a webhook, a policy, a quota) sends no event
   *     when it changes its mind, so the write is tried again soon
   */
  record Wakeups(boolean busy, boolean changed, Optional<Instant> renewalDue, Optional<Instant> settlesAt,
      Optional<Instant> nextSnapshot, boolean writesRefused) {
    /** Nothing to wait for but the steady resync. */
    static Wakeups steady(boolean changed) {
      return new Wakeups(false, changed, Optional.empty(), Optional.empty(), Optional.empty(), false);
    }
  }
}
