package io.etcdpilot.operator.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When a cluster is looked at again without an event. Steady: the steady resync. Busy (not Ready, or a step under way):
 * soon, because what was just done usually shows within a fraction of a second, then backing off to the busy resync
 * while nothing changes; any change (a step taken, a condition moved) starts over from the shortest delay. Sooner when
 * a certificate falls due, certificates settle, or the snapshot schedule fires. Pod and object events bring a pass
 * anyway, whatever this says.
 */
final class Requeue {
  static final Duration FIRST = Duration.ofMillis(100);
  /** Past a moment, not on it: a pass a hair early would find nothing due yet. */
  static final Duration MARGIN = Duration.ofMillis(500);
  /** How soon a write the API server refused is tried again (not every busy pass: each try is a request). */
  static final Duration REFUSED_RETRY = Duration.ofSeconds(30);

  /** The delay, and the busy back-off to remember for the next pass (null: not busy, forget it). */
  record Next(Duration delay, Duration backoff) {}

  private final Duration steady;
  private final Duration busyMax;
  private final Map<String, Duration> backoffs = new ConcurrentHashMap<>();

  Requeue(Duration steady, Duration busyMax) {
    this.steady = steady;
    this.busyMax = busyMax;
  }

  /** The delay for this cluster's next pass; remembers its back-off. */
  Duration next(String cluster, Report.Wakeups wakeups, Instant now) {
    Next next = next(wakeups, backoffs.get(cluster), now, steady, busyMax);
    if (next.backoff() == null) backoffs.remove(cluster);
    else backoffs.put(cluster, next.backoff());
    return next.delay();
  }

  /** Pure: the same wakeups, back-off and clock give the same delay. */
  static Next next(Report.Wakeups w, Duration previousBackoff, Instant now, Duration steady, Duration busyMax) {
    Duration backoff = null;
    Duration delay = steady;
    if (w.busy()) {
      backoff = w.changed() || previousBackoff == null ? FIRST : previousBackoff.multipliedBy(2);
      if (backoff.compareTo(busyMax) > 0) backoff = busyMax;
      delay = backoff;
    }
    if (w.writesRefused() && REFUSED_RETRY.compareTo(delay) < 0) delay = REFUSED_RETRY;
    if (w.renewalDue().isPresent()) {
      Duration until = Duration.between(now, w.renewalDue().get());
      if (until.compareTo(delay) < 0) delay = until.isNegative() ? busyMax : until.plusSeconds(1);
    }
    if (w.settlesAt().isPresent()) {
      Duration until = Duration.between(now, w.settlesAt().get()).plus(MARGIN);
      if (until.compareTo(delay) < 0) delay = until;
    }
    if (w.nextSnapshot().isPresent()) {
      Duration until = Duration.between(now, w.nextSnapshot().get()).plus(MARGIN);
      if (until.compareTo(delay) < 0) delay = until.isNegative() ? busyMax : until;
    }
    return new Next(delay, backoff);
  }

  /** Forgets clusters that no longer exist. */
  void retain(Set<String> clusters) {
    backoffs.keySet().retainAll(clusters);
  }
}
