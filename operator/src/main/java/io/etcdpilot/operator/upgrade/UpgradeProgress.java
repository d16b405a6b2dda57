package io.etcdpilot.operator.upgrade;

import io.etcdpilot.operator.model.Durations;
import io.etcdpilot.operator.model.EtcdVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How far a change of etcd version has come, whether it is stuck, and which members it holds: a member that is down
 * because it is between versions is the roll's to bring back (or the user's, by reverting), never the failed-member
 * replacement's, which would re-add it on the same broken version and leave the cluster a member short. Pure.
 */
public final class UpgradeProgress {
  private UpgradeProgress() {}

  /** A member pod as the roll sees it. */
  public record MemberRun(String name, boolean onRenderedTemplate, boolean ready, Instant podCreated,
      String reportedVersion, String podSays) {}

  /** The change in progress: from which version, to which, members done of all, and why it is stuck (null if not). */
  public record Progress(String from, EtcdVersion to, int done, int total, String stuck) {}

  /**
   * @param to the version the StatefulSet renders
   * @param clusterVersion the version the last status reported (the lowest every member ran); the change is in
   *     progress while it differs from {@code to}
   * @param startedFrom where the change in progress started, as the last status said (null when none was)
   */
  public static Optional<Progress> of(EtcdVersion to, String clusterVersion, String startedFrom, List<MemberRun> members,
      Duration deadline, Instant now) {
    if (!changing(to, clusterVersion)) return Optional.empty();
    int done = (int) members.stream()
        .filter(m -> m.onRenderedTemplate() && m.ready() && to.toString().equals(m.reportedVersion())).count();
    String stuck = members.stream()
        .filter(m -> m.onRenderedTemplate() && !m.ready() && m.podCreated() != null
            && !m.podCreated().plus(deadline).isAfter(now))
        .findFirst()
        .map(m -> "member " + m.name() + " has not become healthy on etcd " + to + " within "
            + Durations.format(deadline) + (m.podSays() == null ? "" : " (pod " + m.name() + ": " + m.podSays() + ")")
            + "; no other member is touched: set spec.version back to " + clusterVersion + ", or to a version that runs")
        .orElse(null);
    return Optional.of(new Progress(startedFrom != null ? startedFrom : clusterVersion, to, done, members.size(), stuck));
  }

  /**
   * Members the failed-member replacement leaves alone: down members the roll restarts first (their pods are
   * outdated), and, while the version changes, down members already on the new version.
   */
  public static Set<String> held(EtcdVersion to, String clusterVersion, List<MemberRun> members) {
    boolean changing = changing(to, clusterVersion);
    return members.stream().filter(m -> !m.ready() && (!m.onRenderedTemplate() || changing))
        .map(MemberRun::name).collect(Collectors.toSet());
  }

  private static boolean changing(EtcdVersion to, String clusterVersion) {
    return clusterVersion != null && to != null && !to.toString().equals(clusterVersion);
  }
}
