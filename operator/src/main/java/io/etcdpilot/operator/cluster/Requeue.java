package io.etcdpilot.operator.cluster;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When a cluster is looked at again without an event. Steady: the steady resync. Busy (not Ready, or a step under way):
 * soon, because what was just done usually shows within a fraction of a second, then backing off to the busy resync
 * while nothing changes; any change (a step taken, a condition moved) starts over from the shortest delay. Pod and
 * object events bring a pass anyway, whatever this says.
 */
final class Requeue {
  static final Duration FIRST = Duration.ofMillis(100);

  private final Duration steady;
  private final Duration busyMax;
  private final Map<String, Duration> last = new ConcurrentHashMap<>();

  Requeue(Duration steady, Duration busyMax) {
    this.steady = steady;
    this.busyMax = busyMax;
  }

  /** @param changed whether this pass changed anything: a step, or a status that differs from the last one */
  Duration next(String cluster, boolean busy, boolean changed) {
    if (!busy) {
      last.remove(cluster);
      return steady;
    }
    Duration previous = last.get(cluster);
    Duration next = changed || previous == null ? FIRST : previous.multipliedBy(2);
    if (next.compareTo(busyMax) > 0) next = busyMax;
    last.put(cluster, next);
    return next;
  }

  /** Forgets clusters that no longer exist. */
  void retain(Set<String> clusters) {
    last.keySet().retainAll(clusters);
  }
}
