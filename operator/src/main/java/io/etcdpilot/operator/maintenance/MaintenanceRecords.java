package io.etcdpilot.operator.maintenance;

import io.etcdpilot.operator.api.v1alpha1.DefragPolicy;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterSpec;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterStatus;
import io.etcdpilot.operator.api.v1alpha1.MaintenanceStatus;
import io.etcdpilot.operator.api.v1alpha1.MemberMaintenance;
import io.etcdpilot.operator.api.v1alpha1.NoSpaceRecovery;
import io.etcdpilot.operator.model.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code status.maintenance} as the planner reads it and as steps change it. Each change returns a new record; the last
 * written status is never modified. Times are whole seconds, as status keeps them.
 */
public final class MaintenanceRecords {
  private MaintenanceRecords() {}

  /** The last written record (or an empty one) with the quota this pass renders. */
  public static MaintenanceStatus carried(EtcdClusterStatus previous, long quotaBytes) {
    MaintenanceStatus m = copy(previous == null ? null : previous.getMaintenance());
    m.setQuotaBytes(quotaBytes);
    return m;
  }

  public static MaintenanceStatus copy(MaintenanceStatus from) {
    MaintenanceStatus m = new MaintenanceStatus();
    if (from == null) return m;
    m.setQuotaBytes(from.getQuotaBytes());
    List<MemberMaintenance> members = new ArrayList<>();
    if (from.getMembers() != null) from.getMembers().forEach(x -> members.add(x.copy()));
    m.setMembers(members);
    m.setNoSpace(from.getNoSpace() == null ? null : from.getNoSpace().copy());
    return m;
  }

  /** Whether this is a NOSPACE alarm not seen before (the record then starts a new recovery). */
  public static boolean newlyRaised(MaintenanceStatus m, boolean alarmed) {
    NoSpaceRecovery n = m.getNoSpace();
    return alarmed && (n == null || n.getRecoveredTime() != null);
  }

  /**
   * The record after this pass's look at the alarms: a new recovery starts when NOSPACE is raised, and one the
   * alarm left without the operator disarming it (a person did) is marked recovered.
   */
  public static MaintenanceStatus tracked(MaintenanceStatus before, boolean alarmed, String members, Instant now) {
    MaintenanceStatus m = copy(before);
    if (newlyRaised(before, alarmed)) {
      NoSpaceRecovery n = new NoSpaceRecovery();
      n.setDetectedTime(time(now));
      n.setMembers(members);
      n.setMessage("compacting, then defragmenting members one at a time");
      m.setNoSpace(n);
    } else if (!alarmed && m.getNoSpace() != null && m.getNoSpace().getRecoveredTime() == null) {
      m.getNoSpace().setRecoveredTime(time(now));
      m.getNoSpace().setMessage("the alarm was disarmed outside the operator");
    }
    return m;
  }

  /** The NOSPACE recovery in progress, for the planner; null when none is. */
  public static MaintenancePlanner.NoSpace noSpace(MaintenanceStatus m, boolean alarmed) {
    NoSpaceRecovery n = m.getNoSpace();
    if (!alarmed || n == null || n.getRecoveredTime() != null) return null;
    return new MaintenancePlanner.NoSpace(Instant.parse(n.getDetectedTime()),
        n.getCompactedTime() == null ? null : Instant.parse(n.getCompactedTime()),
        n.getCompactedRevision() == null ? 0 : n.getCompactedRevision());
  }

  public static Map<String, MaintenancePlanner.History> history(MaintenanceStatus m) {
    Map<String, MaintenancePlanner.History> out = new HashMap<>();
    if (m.getMembers() == null) return out;
    for (MemberMaintenance x : m.getMembers()) {
      out.put(x.getName(), new MaintenancePlanner.History(parse(x.getLastDefragTime()),
          x.getConsecutiveFailures() == null ? 0 : x.getConsecutiveFailures(), parse(x.getLastFailureTime())));
    }
    return out;
  }

  public static MaintenanceStatus compacted(MaintenanceStatus before, long revision, Instant now) {
    MaintenanceStatus m = copy(before);
    m.getNoSpace().setCompactedRevision(revision);
    m.getNoSpace().setCompactedTime(time(now));
    m.getNoSpace().setMessage("compacted to revision " + revision + "; defragmenting members one at a time");
    return m;
  }

  public static MaintenanceStatus defragmented(MaintenanceStatus before, String member, long bytesBefore,
      long bytesAfter, Duration took, Instant finished) {
    MaintenanceStatus m = copy(before);
    MemberMaintenance x = member(m, member);
    x.setLastDefragTime(time(finished));
    x.setBytesBefore(bytesBefore);
    x.setBytesAfter(bytesAfter);
    x.setDurationMillis(took.toMillis());
    x.setConsecutiveFailures(0);
    x.setLastFailure(null);
    x.setLastFailureTime(null);
    return m;
  }

  public static MaintenanceStatus failed(MaintenanceStatus before, String member, String why, Instant now) {
    MaintenanceStatus m = copy(before);
    MemberMaintenance x = member(m, member);
    x.setConsecutiveFailures((x.getConsecutiveFailures() == null ? 0 : x.getConsecutiveFailures()) + 1);
    x.setLastFailure(why);
    x.setLastFailureTime(time(now));
    return m;
  }

  public static MaintenanceStatus recovered(MaintenanceStatus before, Instant now) {
    MaintenanceStatus m = copy(before);
    m.getNoSpace().setRecoveredTime(time(now));
    m.getNoSpace().setMessage("NOSPACE disarmed: every member below " + Math.round(MaintenancePlanner.DISARM_BELOW * 100)
        + "% of the quota");
    return m;
  }

  public static MaintenanceStatus finding(MaintenanceStatus before, String finding) {
    MaintenanceStatus m = copy(before);
    if (m.getNoSpace() != null && m.getNoSpace().getRecoveredTime() == null && finding != null) {
      m.getNoSpace().setMessage(finding);
    }
    return m;
  }

  /** Members whose defragmentations keep failing, for the DefragFailing condition; empty when none. */
  public static Optional<String> failing(MaintenanceStatus m) {
    if (m == null || m.getMembers() == null) return Optional.empty();
    return m.getMembers().stream().filter(x -> x.getConsecutiveFailures() != null
            && x.getConsecutiveFailures() >= MaintenancePlanner.FAILURES_BEFORE_HOLD)
        .map(x -> x.getName() + ": " + x.getConsecutiveFailures() + " failures in a row, the last " + x.getLastFailure())
        .reduce((a, b) -> a + "; " + b);
  }

  /** Forget members that no longer exist, so a re-added ordinal starts with a clean record. */
  public static MaintenanceStatus retain(MaintenanceStatus before, java.util.Set<String> members) {
    MaintenanceStatus m = copy(before);
    m.getMembers().removeIf(x -> !members.contains(x.getName()));
    return m;
  }

  /** The policy the spec gives; the rule was checked when the spec was validated. */
  public static MaintenancePlanner.Policy policy(EtcdClusterSpec spec) throws DefragRule.Invalid {
    DefragPolicy p = spec == null || spec.getMaintenance() == null ? null : spec.getMaintenance().getDefrag();
    if (p == null) return MaintenancePlanner.Policy.defaults();
    return new MaintenancePlanner.Policy(!Boolean.FALSE.equals(p.getEnabled()), DefragRule.of(p.getRule()),
        p.getMinInterval() == null ? Duration.ofHours(1) : Durations.parse(p.getMinInterval()),
        DefragWindow.of(p.getWindow()));
  }

  private static MemberMaintenance member(MaintenanceStatus m, String name) {
    for (MemberMaintenance x : m.getMembers()) if (name.equals(x.getName())) return x;
    MemberMaintenance x = new MemberMaintenance(name);
    m.getMembers().add(x);
    m.getMembers().sort(Comparator.comparing(MemberMaintenance::getName));
    return x;
  }

  private static String time(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static Instant parse(String t) {
    return t == null ? null : Instant.parse(t);
  }
}
