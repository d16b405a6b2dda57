package io.etcdpilot.operator.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OperatorHealthTest {
  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  final ReconcileWatch passes = new ReconcileWatch(nanos::get);

  void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @Test
  void aliveUntilTheApiServerIsSilentForThirtySeconds() {
    OperatorHealth health = new OperatorHealth(nanos::get, passes, true);
    advance(Duration.ofSeconds(29));
    assertThat(health.liveness().ok()).isTrue();
    health.apiServerAnswered();
    advance(Duration.ofSeconds(29));
    assertThat(health.liveness().ok()).isTrue();
    advance(Duration.ofSeconds(1));
    assertThat(health.liveness()).isEqualTo(new OperatorHealth.Answer(false, "the API server has not answered for 30 s"));
    health.apiServerAnswered();
    assertThat(health.liveness().ok()).isTrue();
  }

  @Test
  void aPassThatNeverReturnsFailsLivenessAndOneThatReturnsClearsIt() {
    OperatorHealth health = new OperatorHealth(nanos::get, passes, false);
    ReconcileWatch.Pass stuck = passes.pass();
    for (int i = 0; i < 10; i++) {
      advance(Duration.ofSeconds(29));
      health.apiServerAnswered();
      try (var quick = passes.pass()) {
        advance(Duration.ofMillis(200));
      }
    }
    assertThat(health.liveness().ok()).as("4m52s").isTrue();
    advance(Duration.ofSeconds(8));
    health.apiServerAnswered();
    assertThat(health.liveness().ok()).isFalse();
    assertThat(health.liveness().reason()).isEqualTo("a reconcile pass has been running for 300 s");
    stuck.close();
    assertThat(health.liveness().ok()).isTrue();
    assertThat(passes.longestRunning()).isZero();
  }

  @Test
  void aStandbyIsReadyAndSaysSoTheLeaderIsReadyOnlyWithSyncedInformers() {
    OperatorHealth health = new OperatorHealth(nanos::get, passes, true);
    assertThat(health.readiness(false, false).ok()).isFalse();
    assertThat(health.readiness(true, false)).isEqualTo(new OperatorHealth.Answer(true, "standby"));
    assertThat(health.leader()).isFalse();
    health.leading(true);
    assertThat(health.leader()).isTrue();
    assertThat(health.readiness(true, false)).isEqualTo(new OperatorHealth.Answer(false, "informers not synced"));
    assertThat(health.readiness(true, true)).isEqualTo(new OperatorHealth.Answer(true, "leader"));
  }

  @Test
  void withoutLeaderElectionTheOnlyReplicaLeads() {
    OperatorHealth health = new OperatorHealth(nanos::get, passes, false);
    assertThat(health.leader()).isTrue();
    assertThat(health.readiness(true, true)).isEqualTo(new OperatorHealth.Answer(true, "ready"));
  }

  @Test
  void aLeaderWithClustersThatStartsNoPassForFiveMinutesIsNotAlive() {
    OperatorHealth health = new OperatorHealth(nanos::get, passes, true);
    int[] clusters = {0};
    passes.watching(() -> clusters[0]);
    advance(Duration.ofMinutes(10));
    health.apiServerAnswered();
    assertThat(health.liveness().ok()).as("a standby reconciles nothing").isTrue();
    health.leading(true);
    advance(Duration.ofMinutes(6));
    health.apiServerAnswered();
    assertThat(health.liveness().ok()).as("nothing to reconcile").isTrue();
    clusters[0] = 2;
    assertThat(health.liveness()).isEqualTo(new OperatorHealth.Answer(false,
        "no reconcile pass has started for 360 s although there are 2 clusters"));
    passes.pass().close();
    assertThat(health.liveness().ok()).isTrue();
    advance(Duration.ofMinutes(4));
    health.apiServerAnswered();
    assertThat(health.liveness().ok()).as("passes start at least every resync").isTrue();
  }
}
