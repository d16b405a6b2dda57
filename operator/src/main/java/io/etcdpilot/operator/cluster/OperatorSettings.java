package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.membership.MembershipPlanner;
import io.etcdpilot.operator.upgrade.UpgradeMinimums;
import java.time.Duration;

/** Settings of one operator process, the same in production and in the sandbox. */
public record OperatorSettings(String clusterDomain, Duration steadyResync, Duration busyResync,
    Duration learnerDeadline, Duration failedMemberDeadline, UpgradeMinimums upgradeMinimums,
    Duration upgradeProgressDeadline) {
  public static final Duration DEFAULT_UPGRADE_PROGRESS_DEADLINE = Duration.ofMinutes(10);

  public OperatorSettings(String clusterDomain, Duration steadyResync, Duration busyResync, Duration learnerDeadline,
      Duration failedMemberDeadline) {
    this(clusterDomain, steadyResync, busyResync, learnerDeadline, failedMemberDeadline, UpgradeMinimums.guide(),
        DEFAULT_UPGRADE_PROGRESS_DEADLINE);
  }

  public static OperatorSettings defaults() {
    return new OperatorSettings("cluster.local", Duration.ofSeconds(60), Duration.ofSeconds(5),
        MembershipPlanner.DEFAULT_LEARNER_DEADLINE, MembershipPlanner.DEFAULT_FAILED_MEMBER_DEADLINE);
  }
}
