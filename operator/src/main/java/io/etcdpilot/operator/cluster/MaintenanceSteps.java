package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.MaintenanceStatus;
import io.etcdpilot.operator.etcd.EtcdAdmin;
import io.etcdpilot.operator.etcd.EtcdAlarm;
import io.etcdpilot.operator.etcd.EtcdRefusal;
import io.etcdpilot.operator.etcd.ObservedMember;
import io.etcdpilot.operator.maintenance.MaintenanceRecords;
import io.etcdpilot.operator.model.BackendQuota;
import io.etcdpilot.operator.model.SpecViolation;
import io.etcdpilot.operator.plan.OperationType;
import io.etcdpilot.operator.plan.Step;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The steps of maintenance: compacting for a NOSPACE recovery, moving leadership off a member about to be
 * defragmented or off a slow disk, defragmenting one member, disarming NOSPACE, and disarming CORRUPT once no
 * member's data differ. Each returns the maintenance record it changed.
 */
final class MaintenanceSteps {
  /** etcd copies the whole database while it defragments: gigabytes take minutes on a slow disk. */
  static final Duration DEFRAG_TIMEOUT = Duration.ofMinutes(10);

  private final EtcdAdmin admin;
  private final VolumeGrowth volumes;
  /** Measures how long a defragmentation takes (the pass's "now" is when it started). */
  private final Clock clock;

  MaintenanceSteps(EtcdAdmin admin, VolumeGrowth volumes, Clock clock) {
    this.admin = admin;
    this.volumes = volumes;
    this.clock = clock;
  }

  StepExecutor.Outcome carryOut(Step step, StepTarget t, OperationType type, Instant now) throws Exception {
    MaintenanceStatus record = t.maintenance();
    return switch (step.kind()) {
      case COMPACT -> {
        long revision = admin.compactToCurrent(t.connection(), t.clientUrls());
        t.events().normal("NoSpaceCompacted", "NOSPACE: compacted to revision " + revision
            + " (older revisions are gone); defragmenting members one at a time");
        yield outcome(t, type, "cluster", "compacted to revision " + revision, now,
            MaintenanceRecords.compacted(record, revision, now));
      }
      case MOVE_LEADER_FOR_DEFRAG -> {
        Step.MoveLeaderForDefrag m = (Step.MoveLeaderForDefrag) step;
        admin.moveLeader(t.connection(), member(t, m.from()).clientUrls().get(0), m.toId());
        t.events().normal("LeadershipMoved", "moved leadership from " + m.from() + " to " + m.to()
            + " before defragmenting " + m.from());
        yield outcome(t, type, m.from(), "moved leadership to " + m.to(), now, record);
      }
      case DEFRAGMENT -> defragment((Step.Defragment) step, t, type, now);
      case MOVE_LEADER_OFF_SLOW_DISK -> {
        Step.MoveLeaderOffSlowDisk m = (Step.MoveLeaderOffSlowDisk) step;
        admin.moveLeader(t.connection(), member(t, m.from()).clientUrls().get(0), m.toId());
        t.events().warning("LeadershipMoved", "moved leadership from " + m.from() + " to " + m.to() + ": " + m.from()
            + "'s disk is too slow (" + m.why() + ")");
        yield outcome(t, type, m.from(), "moved leadership to " + m.to(), now, record);
      }
      case DISARM_NOSPACE -> {
        for (EtcdAlarm alarm : t.observation().alarms()) {
          if (alarm.type() == EtcdAlarm.Type.NOSPACE) admin.disarm(t.connection(), t.clientUrls(), alarm);
        }
        String detected = record.getNoSpace() == null ? null : record.getNoSpace().getDetectedTime();
        t.events().normal("QuotaRecovered", "NOSPACE disarmed, writes are taken again"
            + (detected == null ? "" : " (" + Duration.between(Instant.parse(detected), now).toSeconds()
                + " s after it was seen)") + "; members at " + sizes(t));
        yield outcome(t, type, "cluster", "NOSPACE disarmed", now, MaintenanceRecords.recovered(record, now));
      }
      case DISARM_CORRUPT -> {
        for (EtcdAlarm alarm : t.observation().alarms()) {
          if (alarm.type() == EtcdAlarm.Type.CORRUPT) admin.disarm(t.connection(), t.clientUrls(), alarm);
        }
        t.events().normal("CorruptionCleared", "CORRUPT disarmed, requests are served again: "
            + ((Step.DisarmCorrupt) step).why());
        yield outcome(t, type, "cluster", "CORRUPT disarmed", now, record);
      }
      case GROW_VOLUMES -> {
        Step.GrowVolumes g = (Step.GrowVolumes) step;
        List<SpecViolation> refused = new ArrayList<>();
        volumes.growTo(g.size(), t.state().claims(), t.events(), refused);
        if (!refused.isEmpty()) {
          t.events().warning("VolumeGrowthRefused", refused.get(0).toString());
          yield outcome(t, type, "volumes", refused.get(0).message(), now, record);
        }
        t.events().normal("VolumeAutoGrow", g.why() + ": volumes grow to " + g.size()
            + " (spec.storage.autoGrow); the quota follows once every claim has it");
        yield outcome(t, type, "volumes", "growing to " + g.size(), now, record);
      }
      default -> throw new IllegalArgumentException("not a maintenance step: " + step);
    };
  }

  private StepExecutor.Outcome defragment(Step.Defragment d, StepTarget t, OperationType type, Instant now) {
    ObservedMember m = member(t, d.member());
    long before = m.dbSizeBytes();
    Instant started = clock.instant();
    try {
      EtcdAdmin.DbUsage after = admin.defragment(t.connection(), m.clientUrls().get(0), DEFRAG_TIMEOUT);
      Duration took = Duration.between(started, clock.instant());
      t.events().normal("Defragmented", d.member() + ": " + BackendQuota.mib(before) + " → "
          + BackendQuota.mib(after.size()) + " (" + BackendQuota.mib(Math.max(0, before - after.size()))
          + " reclaimed) in " + String.format(Locale.ROOT, "%.1f s", took.toMillis() / 1000.0) + "; " + d.why());
      return outcome(t, type, d.member(), "defragmented", now,
          MaintenanceRecords.defragmented(t.maintenance(), d.member(), before, after.size(), took, now.plus(took)));
    } catch (Exception e) {
      // A failed defragmentation leaves the member as it was (etcd copies, then swaps): counted, retried later.
      String why = EtcdRefusal.message(e);
      MaintenanceStatus failed = MaintenanceRecords.failed(t.maintenance(), d.member(), why, now);
      int inARow = failed.getMembers().stream().filter(x -> x.getName().equals(d.member())).findFirst()
          .map(x -> x.getConsecutiveFailures()).orElse(1);
      t.events().warning("DefragFailed", d.member() + ": " + why + " (" + inARow + " in a row)");
      return outcome(t, type, d.member(), "defragmentation failed: " + why, now, failed);
    }
  }

  private static StepExecutor.Outcome outcome(StepTarget t, OperationType type, String target, String message,
      Instant now, MaintenanceStatus record) {
    return new StepExecutor.Outcome(t.operation(type, target, message, now, false), t.lastFailure(), record);
  }

  private static ObservedMember member(StepTarget t, String name) {
    return t.observation().members().stream().filter(x -> name.equals(x.name()) && !x.clientUrls().isEmpty())
        .findFirst().orElseThrow(() -> new IllegalStateException(name + " has no client URL in etcd's member list"));
  }

  private static String sizes(StepTarget t) {
    return t.observation().members().stream().map(m -> m.name() + " " + BackendQuota.mib(m.dbSizeBytes()))
        .reduce((a, b) -> a + ", " + b).orElse("(none)");
  }
}
