package io.etcdpilot.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** A replica acts only while it holds a Lease it renewed recently. */
class LeaseFenceTest {
  static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");

  static LeaseFence fence(Lease lease) {
    return new LeaseFence(() -> lease, "etcdpilot-abc", Duration.ofSeconds(10), Clock.fixed(NOW, ZoneOffset.UTC));
  }

  static Lease lease(String holder, Instant renewed) {
    return new LeaseBuilder().withNewMetadata().withName("etcdpilot-operator").endMetadata().withNewSpec()
        .withHolderIdentity(holder).withRenewTime(renewed == null ? null : renewed.atZone(ZoneOffset.UTC))
        .withLeaseDurationSeconds(15).endSpec().build();
  }

  @Test
  void heldAndFreshActs() {
    assertThat(fence(lease("etcdpilot-abc", NOW.minusSeconds(2))).refusal()).isEmpty();
  }

  @Test
  void anotherHolderMeansThisReplicaLostIt() {
    assertThat(fence(lease("etcdpilot-xyz", NOW.minusSeconds(1))).refusal()).hasValueSatisfying(
        r -> assertThat(r).contains("no longer holds").contains("etcdpilot-xyz"));
  }

  @Test
  void aRenewalOlderThanTheDeadlineIsStale() {
    // The replica stalled (a GC pause, a frozen node): it still is the holder on record, but others may take it.
    assertThat(fence(lease("etcdpilot-abc", NOW.minusSeconds(12))).refusal()).hasValueSatisfying(
        r -> assertThat(r).contains("renewed"));
    assertThat(fence(lease("etcdpilot-abc", null)).refusal()).isPresent();
  }

  @Test
  void noLeaseOrNoAnswerIsNoAction() {
    assertThat(fence(null).refusal()).isPresent();
    LeaseFence unreachable = new LeaseFence(() -> {
      throw new IllegalStateException("connection refused");
    }, "etcdpilot-abc", Duration.ofSeconds(10), Clock.fixed(NOW, ZoneOffset.UTC));
    assertThat(unreachable.refusal()).hasValueSatisfying(r -> assertThat(r).contains("connection refused"));
  }

  @Test
  void withoutLeaderElectionThereIsNothingToFence() {
    assertThat(LeaseFence.NONE.refusal()).isEmpty();
  }
}
