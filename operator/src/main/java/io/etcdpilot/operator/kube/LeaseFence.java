package io.etcdpilot.operator.kube;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Checks, right before a disruptive step, that this operator replica still holds the leader-election Lease and renewed
 * it recently. A replica that stalled past its Lease (a long GC pause, a frozen node) and resumes must not finish a
 * pass decided from a stale view while the new leader acts. Costs one API read per disruptive step, none otherwise.
 */
public final class LeaseFence {
  /** No leader election (one replica): nothing to fence. */
  public static final LeaseFence NONE = new LeaseFence(null, null, Duration.ZERO, Clock.systemUTC());

  private final Supplier<Lease> lease;
  private final String identity;
  private final Duration freshFor;
  private final Clock clock;

  /**
   * @param lease reads the Lease from the API server (not from a cache, which may lag)
   * @param identity this replica's holder identity
   * @param freshFor how recent the last renewal must be (the leader-election renew deadline)
   */
  public LeaseFence(Supplier<Lease> lease, String identity, Duration freshFor, Clock clock) {
    this.lease = lease;
    this.identity = identity;
    this.freshFor = freshFor;
    this.clock = clock;
  }

  /** Why this replica must not act now; empty when it holds a fresh Lease (or there is no election). */
  public Optional<String> refusal() {
    if (lease == null) return Optional.empty();
    Lease l;
    try {
      l = lease.get();
    } catch (RuntimeException e) {
      return Optional.of("cannot read the leader-election Lease (" + e.getMessage() + "): not acting on a view that may be stale");
    }
    if (l == null || l.getSpec() == null) return Optional.of("the leader-election Lease does not exist");
    String holder = l.getSpec().getHolderIdentity();
    if (!identity.equals(holder)) {
      return Optional.of("this replica (" + identity + ") no longer holds the leader-election Lease (held by " + holder + ")");
    }
    ZonedDateTime renewed = l.getSpec().getRenewTime();
    Instant now = clock.instant();
    if (renewed == null || renewed.toInstant().plus(freshFor).isBefore(now)) {
      return Optional.of("this replica last renewed its Lease at " + renewed + ", more than " + freshFor.toSeconds()
          + " s ago: not acting until it renews");
    }
    return Optional.empty();
  }
}
