package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.membership.MembershipPlanner;
import io.etcdpilot.operator.snapshot.EndpointPolicy;
import io.etcdpilot.operator.upgrade.UpgradeMinimums;
import java.time.Duration;

/** Settings of one operator process, the same in production and in the sandbox. */
public record OperatorSettings(String clusterDomain, Duration steadyResync, Duration busyResync,
    Duration learnerDeadline, Duration failedMemberDeadline, UpgradeMinimums upgradeMinimums,
    Duration upgradeProgressDeadline, String agentImage, EndpointPolicy snapshotEndpoints) {
  public static final Duration DEFAULT_UPGRADE_PROGRESS_DEADLINE = Duration.ofMinutes(10);
  /** The operator's own image, run as the restore steps of a cluster created from a snapshot. */
  public static final String DEFAULT_AGENT_IMAGE = "ghcr.io/etcdpilot/etcdpilot-operator:0.1.0";

  public static OperatorSettings defaults() {
    return new OperatorSettings("cluster.local", Duration.ofSeconds(60), Duration.ofSeconds(5),
        MembershipPlanner.DEFAULT_LEARNER_DEADLINE, MembershipPlanner.DEFAULT_FAILED_MEMBER_DEADLINE,
        UpgradeMinimums.guide(), DEFAULT_UPGRADE_PROGRESS_DEADLINE, DEFAULT_AGENT_IMAGE, EndpointPolicy.STRICT);
  }

  /** The same settings with other resync periods (tests run passes faster than production). */
  public OperatorSettings withResync(Duration steady, Duration busy) {
    return new OperatorSettings(clusterDomain, steady, busy, learnerDeadline, failedMemberDeadline, upgradeMinimums,
        upgradeProgressDeadline, agentImage, snapshotEndpoints);
  }
}
