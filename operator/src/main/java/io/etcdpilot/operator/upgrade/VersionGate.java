package io.etcdpilot.operator.upgrade;

import io.etcdpilot.operator.model.EtcdVersion;
import io.etcdpilot.operator.plan.Step;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which etcd version the member pods are rendered with: the version the spec asks for only once the step from what
 * runs now is one etcd supports member by member; otherwise the version already rendered, and why (a refusal), or what
 * etcd must do first (a minor downgrade is enabled through etcd's downgrade API and waits for the storage version).
 * Pure: from what the StatefulSet renders, what members report, and {@code spec.version}.
 */
public final class VersionGate {
  private VersionGate() {}

  /**
   * What the decision is made from.
   * @param rendered the version the StatefulSet renders now; null before it exists (bootstrap: any version goes)
   * @param running versions the members report (empty when none answers)
   * @param everyMemberAnswered whether every member answered this pass (a downgrade starts only then)
   * @param storageVersions the storage versions members report (etcd 3.6+; empty before)
   * @param downgradeTarget the minor a downgrade etcd has enabled moves to ("3.5.0"), null when none
   * @param authEnabled whether etcd's authentication is on (asked only when {@link #asksAboutAuth} says so)
   * @param unknownVersions members whose version is not known (they do not answer and never reported one): no
   *     version step is taken while there are any, since one of them may run an older minor
   */
  public record Facts(EtcdVersion rendered, List<EtcdVersion> running, boolean everyMemberAnswered,
      List<EtcdVersion> storageVersions, EtcdVersion downgradeTarget, boolean authEnabled, List<String> unknownVersions) {
    public static Facts of(EtcdVersion rendered, List<EtcdVersion> running) {
      return new Facts(rendered, running, true, List.of(), null, false, List.of());
    }
  }

  /**
   * The version to render; the reason the asked one is refused (null when it is not); and a step etcd must take
   * before members may be rendered with it (null when none).
   */
  public record Decision(EtcdVersion render, String refusal, Step prerequisite) {
    public boolean refused() {
      return refusal != null;
    }
  }

  public static Decision decide(EtcdVersion rendered, List<EtcdVersion> running, EtcdVersion wanted) {
    return decide(Facts.of(rendered, running), wanted, UpgradeMinimums.guide());
  }

  public static Decision decide(Facts f, EtcdVersion wanted, UpgradeMinimums minimums) {
    EtcdVersion rendered = f.rendered();
    if (rendered == null) return new Decision(wanted, null, null);
    if (f.downgradeTarget() != null) return duringDowngrade(f, wanted);
    if (rendered.equals(wanted)) return new Decision(wanted, null, null);
    if (!f.unknownVersions().isEmpty()) {
      return new Decision(rendered, null, new Step.Wait("the etcd version of " + String.join(", ", f.unknownVersions())
          + " is not known (no answer, none reported before): no change to " + wanted + " until it is"));
    }
    EtcdVersion from = from(rendered, f.running());
    if (from.major() == wanted.major() && wanted.minor() < from.minor()) return minorDowngrade(f, from, wanted);
    Optional<String> refusal = refusal(from, wanted, minimums);
    if (refusal.isEmpty() && isAuthStep(from, wanted) && f.authEnabled()) {
      refusal = Optional.of("cannot change from " + from + " to " + wanted + " with authentication enabled: etcd"
          + " supports no rolling upgrade from 3.4 to 3.5 then; disable authentication for the upgrade, or restore a"
          + " snapshot into a new 3.5 cluster");
    }
    return refusal.map(r -> new Decision(rendered, r, null)).orElseGet(() -> new Decision(wanted, null, null));
  }

  /** Whether the decision needs to know if authentication is on: only a 3.4 → 3.5 step does. */
  public static boolean asksAboutAuth(EtcdVersion rendered, List<EtcdVersion> running, EtcdVersion wanted) {
    if (rendered == null || rendered.equals(wanted)) return false;
    return isAuthStep(from(rendered, running), wanted);
  }

  /**
   * Where a step starts: the oldest member when it runs below what is rendered (a roll half done, or a member that
   * does not answer now and last reported an older version), else the rendered.
   */
  private static EtcdVersion from(EtcdVersion rendered, List<EtcdVersion> running) {
    return running.stream().min(Comparator.naturalOrder()).filter(r -> r.compareTo(rendered) < 0).orElse(rendered);
  }

  private static boolean isAuthStep(EtcdVersion from, EtcdVersion to) {
    return from.isMinor(3, 4) && to.isMinor(3, 5);
  }

  /**
   * One minor down. Before the cluster version has moved (every member's data still at the lower storage version) it
   * is a revert by binary swap; after, only etcd's downgrade API may take the cluster there, and only from 3.6 on.
   */
  private static Decision minorDowngrade(Facts f, EtcdVersion from, EtcdVersion to) {
    String step = from + " to " + to;
    if (from.minor() - to.minor() > 1) {
      return new Decision(f.rendered(), "cannot change from " + step + ": etcd downgrades one minor version at a"
          + " time; set " + to.major() + "." + (from.minor() - 1) + ".x first", null);
    }
    if (from.compareTo(new EtcdVersion(3, 6, 0)) < 0) {
      return new Decision(f.rendered(), "cannot change from " + step + ": members of " + minor(from)
          + " refuse an older minor binary once the cluster version has moved, and etcd's downgrade API takes a cluster"
          + " down a minor only from 3.6 on; restore a snapshot into a new " + minor(to) + " cluster instead", null);
    }
    if (!f.everyMemberAnswered()) {
      return new Decision(f.rendered(), null, new Step.Wait("a downgrade to " + minor(to)
          + " starts once every member answers"));
    }
    boolean neverMoved = !f.storageVersions().isEmpty()
        && f.storageVersions().stream().allMatch(s -> s.major() == to.major() && s.minor() <= to.minor());
    if (neverMoved) return new Decision(to, null, null);
    return new Decision(f.rendered(), null, new Step.EnableDowngrade(minor(to)));
  }

  /** etcd has a downgrade enabled: binaries go down once the storage version has; another wish cancels it first. */
  private static Decision duringDowngrade(Facts f, EtcdVersion wanted) {
    EtcdVersion target = f.downgradeTarget();
    if (!wanted.isMinor(target.major(), target.minor())) {
      return new Decision(f.rendered(), null, new Step.CancelDowngrade(minor(target)));
    }
    if (f.rendered().equals(wanted)) return new Decision(wanted, null, null);
    Optional<EtcdVersion> ahead = f.storageVersions().stream()
        .filter(s -> s.major() > target.major() || s.minor() > target.minor()).findFirst();
    if (!f.everyMemberAnswered() || ahead.isPresent()) {
      return new Decision(f.rendered(), null, new Step.Wait("etcd is moving the storage version to " + minor(target)
          + (ahead.map(a -> " (a member still reports " + a + ")").orElse(" (waiting for every member to answer)"))));
    }
    return new Decision(wanted, null, null);
  }

  private static String minor(EtcdVersion v) {
    return v.major() + "." + v.minor();
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
          + " before upgrading to " + minor(to) + "; set " + m + " (or the newest " + minor(from) + " patch) first");
    }
    return Optional.of("cannot change from " + step + ": etcd upgrades one minor version at a time; set "
        + from.major() + "." + (from.minor() + 1) + ".x first");
  }
}
