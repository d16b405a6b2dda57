package io.etcdpilot.operator.health;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Which reconcile passes are running and since when. A pass normally takes well under a second; one that never
 * returns (a call without a deadline, a lock never released) holds a reconcile thread for good, and enough of them
 * stop the operator while it still looks alive.
 */
public final class ReconcileWatch {
  private final LongSupplier nanos;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, Long> startedAt = new ConcurrentHashMap<>();

  public ReconcileWatch() {
    this(System::nanoTime);
  }

  ReconcileWatch(LongSupplier nanos) {
    this.nanos = nanos;
  }

  /** One pass; close it when the pass returns, however it returns. */
  public interface Pass extends AutoCloseable {
    @Override
    void close();
  }

  public Pass pass() {
    long id = ids.incrementAndGet();
    startedAt.put(id, nanos.getAsLong());
    return () -> startedAt.remove(id);
  }

  /** How long the oldest pass still running has run; zero when none runs. */
  public Duration longestRunning() {
    long now = nanos.getAsLong();
    return startedAt.values().stream().map(start -> Duration.ofNanos(now - start)).max(Duration::compareTo)
        .orElse(Duration.ZERO);
  }
}
