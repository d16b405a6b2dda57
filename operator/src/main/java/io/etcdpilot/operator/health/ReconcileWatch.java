package io.etcdpilot.operator.health;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Which reconcile passes are running and since when. A pass normally takes well under a second; one that never
 * returns (a call without a deadline, a lock never released) holds a reconcile thread for good, and enough of them
 * stop the operator while it still looks alive. The other way to stop: no pass starts at all although there are
 * resources to reconcile (each is looked at again at least every resync).
 */
public final class ReconcileWatch {
  private final LongSupplier nanos;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, Long> startedAt = new ConcurrentHashMap<>();
  private volatile long lastStart;
  private volatile java.util.function.IntSupplier resources = () -> 0;

  public ReconcileWatch() {
    this(System::nanoTime);
  }

  ReconcileWatch(LongSupplier nanos) {
    this.nanos = nanos;
    this.lastStart = nanos.getAsLong();
  }

  /** @param resources how many resources the watched reconciler has to look at (its primary cache) */
  public void watching(java.util.function.IntSupplier resources) {
    this.resources = resources;
  }

  public int resources() {
    return resources.getAsInt();
  }

  /** Time since the last pass started, counted from {@code notBefore} at the earliest (e.g. when leadership began). */
  Duration sinceLastStart(long notBefore) {
    return Duration.ofNanos(nanos.getAsLong() - Math.max(lastStart, notBefore));
  }

  /** One pass; close it when the pass returns, however it returns. */
  public interface Pass extends AutoCloseable {
    @Override
    void close();
  }

  public Pass pass() {
    long id = ids.incrementAndGet();
    long now = nanos.getAsLong();
    lastStart = now;
    startedAt.put(id, now);
    return () -> startedAt.remove(id);
  }

  /** How long the oldest pass still running has run; zero when none runs. */
  public Duration longestRunning() {
    long now = nanos.getAsLong();
    return startedAt.values().stream().map(start -> Duration.ofNanos(now - start)).max(Duration::compareTo)
        .orElse(Duration.ZERO);
  }
}
