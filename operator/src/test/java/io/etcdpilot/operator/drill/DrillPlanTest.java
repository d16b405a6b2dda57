package io.etcdpilot.operator.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.api.v1alpha1.BackupStatus;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshotStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrillPlanTest {
  static final Instant CREATED = Instant.parse("2026-12-06T00:00:00Z");
  static final String HOURLY = "0 * * * *";

  static EtcdSnapshot snapshot(String name, String phase, String completed) {
    EtcdSnapshot s = new EtcdSnapshot();
    s.setMetadata(new ObjectMetaBuilder().withName(name).build());
    s.setStatus(new EtcdSnapshotStatus());
    s.getStatus().setPhase(phase);
    s.getStatus().setCompletionTime(completed);
    s.getStatus().setLocation("s3://b/" + name + ".db.zst");
    return s;
  }

  static final List<EtcdSnapshot> SNAPSHOTS = List.of(snapshot("demo-a", "Succeeded", "2026-12-06T00:10:00Z"),
      snapshot("demo-b", "Succeeded", "2026-12-06T00:40:00Z"), snapshot("demo-c", "Failed", "2026-12-06T00:50:00Z"));

  static DrillPlan.Inputs in(BackupStatus previous, String job, DrillPlan.Outcome outcome, Instant now) {
    return new DrillPlan.Inputs(HOURLY, null, previous, CREATED, SNAPSHOTS, job, outcome, false, now);
  }

  @Test
  void offWithoutASchedule() {
    assertThat(DrillPlan.decide(new DrillPlan.Inputs(null, null, null, CREATED, SNAPSHOTS, null, null, false,
        CREATED))).isEqualTo(new DrillPlan.Off(false));
    assertThat(DrillPlan.decide(new DrillPlan.Inputs("", null, null, CREATED, SNAPSHOTS, "demo-a", null, false,
        CREATED))).as("a leftover Job goes").isEqualTo(new DrillPlan.Off(true));
  }

  @Test
  void waitsForTheScheduleThenRestoresTheNewestSnapshotThatSucceeded() {
    DrillPlan.Plan early = DrillPlan.decide(in(null, null, null, Instant.parse("2026-12-06T00:30:00Z")));
    assertThat(early).isInstanceOf(DrillPlan.Wait.class);
    assertThat(early.status().getNextDrillTime()).isEqualTo("2026-12-06T01:00:00Z");
    DrillPlan.Plan due = DrillPlan.decide(in(null, null, null, Instant.parse("2026-12-06T01:00:05Z")));
    assertThat(due).isInstanceOfSatisfying(DrillPlan.Start.class, s -> assertThat(s.snapshot()).isEqualTo("demo-b"));
    assertThat(due.status().getDrillResult()).isEqualTo(BackupStatus.Result.Running);
    assertThat(due.status().getDrillStarted()).isEqualTo("2026-12-06T01:00:05Z");
    assertThat(due.status().getNextDrillTime()).isEqualTo("2026-12-06T02:00:00Z");
  }

  @Test
  void runningThenPassedThenDueAgainAnHourLater() {
    BackupStatus started = DrillPlan.decide(in(null, null, null, Instant.parse("2026-12-06T01:00:05Z"))).status();
    DrillPlan.Plan running = DrillPlan.decide(in(started, "demo-b", new DrillPlan.Running(),
        Instant.parse("2026-12-06T01:01:00Z")));
    assertThat(running).isInstanceOf(DrillPlan.Wait.class);
    DrillPlan.Plan passed = DrillPlan.decide(in(running.status(), "demo-b", new DrillPlan.Passed("all agree"),
        Instant.parse("2026-12-06T01:02:00Z")));
    assertThat(passed).isInstanceOfSatisfying(DrillPlan.Finish.class, f -> {
      assertThat(f.passed()).isTrue();
      assertThat(f.reason()).isEqualTo(DrillPlan.PASSED);
    });
    assertThat(passed.status().getLastPassedSnapshot()).isEqualTo("demo-b");
    assertThat(passed.status().getLastPassedTime()).isEqualTo("2026-12-06T01:02:00Z");
    assertThat(DrillPlan.decide(in(passed.status(), null, null, Instant.parse("2026-12-06T01:30:00Z"))))
        .isInstanceOf(DrillPlan.Wait.class);
    assertThat(DrillPlan.decide(in(passed.status(), null, null, Instant.parse("2026-12-06T02:00:01Z"))))
        .isInstanceOf(DrillPlan.Start.class);
  }

  @Test
  void aFailedDrillKeepsTheLastPassedOne() {
    BackupStatus passedBefore = new BackupStatus();
    passedBefore.setLastPassedSnapshot("demo-a");
    passedBefore.setLastPassedTime("2026-12-06T00:20:00Z");
    passedBefore.setDrillStarted("2026-12-06T01:00:05Z");
    DrillPlan.Plan failed = DrillPlan.decide(in(passedBefore, "demo-b", new DrillPlan.Failed("fetch: sha256 differs"),
        Instant.parse("2026-12-06T01:03:00Z")));
    assertThat(failed).isInstanceOfSatisfying(DrillPlan.Finish.class, f -> {
      assertThat(f.passed()).isFalse();
      assertThat(f.message()).contains("demo-b", "sha256 differs");
    });
    assertThat(failed.status().getDrillResult()).isEqualTo(BackupStatus.Result.Failed);
    assertThat(failed.status().getLastPassedSnapshot()).isEqualTo("demo-a");
  }

  @Test
  void aDrillThatDoesNotFinishFailsAtItsDeadline() {
    BackupStatus started = DrillPlan.decide(in(null, null, null, Instant.parse("2026-12-06T01:00:05Z"))).status();
    Instant late = Instant.parse("2026-12-06T01:00:05Z").plus(DrillJob.DEADLINE).plus(Duration.ofSeconds(1));
    assertThat(DrillPlan.decide(in(started, "demo-b", new DrillPlan.Running(), late)))
        .isInstanceOfSatisfying(DrillPlan.Finish.class, f -> assertThat(f.message()).contains("did not finish"));
  }

  @Test
  void nothingToRestoreIsAFailedDrill() {
    DrillPlan.Plan none = DrillPlan.decide(new DrillPlan.Inputs(HOURLY, null, null, CREATED,
        List.of(snapshot("demo-c", "Failed", "2026-12-06T00:50:00Z")), null, null, false,
        Instant.parse("2026-12-06T01:00:05Z")));
    assertThat(none).isInstanceOfSatisfying(DrillPlan.Finish.class, f -> assertThat(f.reason())
        .isEqualTo(DrillPlan.NO_SNAPSHOT));
    assertThat(none.status().getDrillResult()).isEqualTo(BackupStatus.Result.Failed);
  }

  @Test
  void pausedStartsNothing() {
    assertThat(DrillPlan.decide(new DrillPlan.Inputs(HOURLY, null, null, CREATED, SNAPSHOTS, null, null, true,
        Instant.parse("2026-12-06T05:00:00Z")))).isInstanceOf(DrillPlan.Wait.class);
  }
}
