package io.etcdpilot.operator.health;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * What {@code /healthz} and {@code /readyz} answer.
 * <ul>
 *   <li>Alive unless the API server has not answered for {@link #API_SILENCE}, a reconcile pass has run for
 *       {@link #STUCK_PASS}, or the leader has started no pass for as long although it has clusters: a restart is
 *       the remedy (a new client, fresh threads).</li>
 *   <li>Ready once started, and then as the Lease holder when its informers are synced; a replica standing by for the
 *       Lease is ready too (answering {@code standby}), because a Deployment's rolling update waits for new replicas
 *       to be ready and a new replica is always a standby first. Which replica leads is in the body and in the
 *       {@code etcdpilot_operator_leader} gauge.</li>
 * </ul>
 */
public final class OperatorHealth {
  public static final Duration API_SILENCE = Duration.ofSeconds(30);
  public static final Duration STUCK_PASS = Duration.ofMinutes(5);

  private final LongSupplier nanos;
  private final ReconcileWatch passes;
  private final boolean leaderElection;
  private volatile long lastApiAnswer;
  private volatile boolean leading;
  private volatile long leadingSince;

  public OperatorHealth(ReconcileWatch passes, boolean leaderElection) {
    this(System::nanoTime, passes, leaderElection);
  }

  OperatorHealth(LongSupplier nanos, ReconcileWatch passes, boolean leaderElection) {
    this.nanos = nanos;
    this.passes = passes;
    this.leaderElection = leaderElection;
    this.lastApiAnswer = nanos.getAsLong();
    this.leadingSince = lastApiAnswer;
  }

  /** An answer for a probe: whether it passes, and a line saying why. */
  public record Answer(boolean ok, String reason) {}

  public ReconcileWatch passes() {
    return passes;
  }

  public void apiServerAnswered() {
    lastApiAnswer = nanos.getAsLong();
  }

  public void leading(boolean leading) {
    if (leading && !this.leading) leadingSince = nanos.getAsLong();
    this.leading = leading;
  }

  /** Whether this replica reconciles: the Lease holder, or the only replica when leader election is off. */
  public boolean leader() {
    return !leaderElection || leading;
  }

  public Answer liveness() {
    Duration silent = Duration.ofNanos(nanos.getAsLong() - lastApiAnswer);
    if (silent.compareTo(API_SILENCE) >= 0) {
      return new Answer(false, "the API server has not answered for " + silent.toSeconds() + " s");
    }
    Duration longest = passes.longestRunning();
    if (longest.compareTo(STUCK_PASS) >= 0) {
      return new Answer(false, "a reconcile pass has been running for " + longest.toSeconds() + " s");
    }
    int resources = leader() ? passes.resources() : 0;
    Duration idle = passes.sinceLastStart(leadingSince);
    if (resources > 0 && idle.compareTo(STUCK_PASS) >= 0) {
      return new Answer(false, "no reconcile pass has started for " + idle.toSeconds() + " s although there are "
          + resources + " clusters");
    }
    return new Answer(true, "ok");
  }

  /**
   * @param started whether the operator has started
   * @param informersSynced whether every informer of this replica is running and synced (a standby runs none)
   */
  public Answer readiness(boolean started, boolean informersSynced) {
    if (!started) return new Answer(false, "starting");
    if (!leader()) return new Answer(true, "standby");
    if (!informersSynced) return new Answer(false, "informers not synced");
    return new Answer(true, leaderElection ? "leader" : "ready");
  }
}
