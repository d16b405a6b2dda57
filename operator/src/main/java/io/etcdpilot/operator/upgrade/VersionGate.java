package io.etcdpilot.operator.upgrade;

import io.etcdpilot.operator.model.EtcdVersion;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * Which etcd version the member pods are rendered with: the version the spec asks for only once the step from what
 * runs now is one etcd supports by swapping binaries member by member; otherwise the version already rendered, and why.
 * Pure: from the version the StatefulSet renders now, the versions members report, and {@code spec.version}.
 */
public final class VersionGate {
  private VersionGate() {}

  /** The version to render, and the reason the asked one is refused (null when it is not). */
  public record Decision(EtcdVersion render, String refusal) {
    public boolean refused() {
      return refusal != null;
    }
  }

  /**
   * @param rendered the version the StatefulSet renders now; null before it exists (bootstrap: any version goes)
   * @param running versions the members report (may be empty when none answers)
   */
  public static Decision decide(EtcdVersion rendered, Collection<EtcdVersion> running, EtcdVersion wanted) {
    return decide(rendered, running, wanted, UpgradeMinimums.guide());
  }

  public static Decision decide(EtcdVersion rendered, Collection<EtcdVersion> running, EtcdVersion wanted,
      UpgradeMinimums minimums) {
    if (rendered == null || rendered.equals(wanted)) return new Decision(wanted, null);
    // The step is judged from the oldest member: a roll half done counts from where it started.
    EtcdVersion from = running.stream().min(Comparator.naturalOrder()).filter(r -> r.compareTo(rendered) < 0)
        .orElse(rendered);
    return refusal(from, wanted, minimums).map(r -> new Decision(rendered, r))
        .orElseGet(() -> new Decision(wanted, null));
  }

  private static Optional<String> refusal(EtcdVersion from, EtcdVersion to, UpgradeMinimums minimums) {
    String step = from + " to " + to;
    if (from.major() != to.major()) {
      return Optional.of("cannot change from " + step + ": etcd supports no upgrade across major versions");
    }
    int minors = to.minor() - from.minor();
    if (minors == 0) return Optional.empty();
    if (minors == 1) {
      Optional<EtcdVersion> minimum = minimums.toLeave(from).filter(m -> from.compareTo(m) < 0);
      return minimum.map(m -> "cannot change from " + step + ": etcd's upgrade guide requires " + m + " or later"
          + " before upgrading to " + to.major() + "." + to.minor() + "; set " + m + " (or the newest "
          + from.major() + "." + from.minor() + " patch) first");
    }
    if (minors > 1) {
      return Optional.of("cannot change from " + step + ": etcd upgrades one minor version at a time; set "
          + from.major() + "." + (from.minor() + 1) + ".x first");
    }
    return Optional.of("cannot change from " + step + ": members of " + from.major() + "." + from.minor()
        + " refuse an older minor binary once the cluster version has moved; a minor downgrade needs etcd's downgrade"
        + " procedure");
  }
}
