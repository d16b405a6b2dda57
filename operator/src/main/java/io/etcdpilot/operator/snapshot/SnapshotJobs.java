package io.etcdpilot.operator.snapshot;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where snapshots run: off the reconcile threads (a long upload never delays membership, certificates or upgrades),
 * at most one per cluster at a time, on a bounded pool served first come first served (a long stream of one cluster
 * holds one slot, never another cluster's turn); retention and clean-up on a thread of their own, never in a slot.
 */
public final class SnapshotJobs implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SnapshotJobs.class);

  private final ExecutorService executor;
  private final ExecutorService housekeepingThread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "snapshot-housekeeping");
    t.setDaemon(true);
    return t;
  });
  /** cluster key (namespace/name) → the snapshot running for it. */
  private final Map<String, String> running = new ConcurrentHashMap<>();

  public SnapshotJobs(int threads) {
    AtomicInteger n = new AtomicInteger();
    executor = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "snapshot-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** The snapshot running for the cluster, if one is. */
  public Optional<String> runningFor(String clusterKey) {
    return Optional.ofNullable(running.get(clusterKey));
  }

  public boolean isRunning(String clusterKey, String snapshot) {
    return snapshot.equals(running.get(clusterKey));
  }

  /** Starts the job unless the cluster has one running; returns whether it started. */
  public boolean start(String clusterKey, String snapshot, Runnable job) {
    if (running.putIfAbsent(clusterKey, snapshot) != null) return false;
    executor.execute(() -> {
      try {
        job.run();
      } catch (RuntimeException e) {
        log.warn("snapshot {} of {} ended with an unexpected error: {}", snapshot, clusterKey, e.toString());
      } finally {
        running.remove(clusterKey, snapshot);
      }
    });
    return true;
  }

  private final java.util.Set<String> housekeeping = ConcurrentHashMap.newKeySet();

  /** Runs housekeeping (retention of one snapshot) off the reconcile thread, once at a time per key. */
  public void background(String key, Runnable task) {
    if (!housekeeping.add(key)) return;
    housekeepingThread.execute(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("snapshot housekeeping of {} failed: {}", key, e.toString());
      } finally {
        housekeeping.remove(key);
      }
    });
  }

  @Override
  public void close() {
    executor.shutdownNow();
    housekeepingThread.shutdownNow();
  }
}
