package io.etcdpilot.e2e;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Continuous client writes during a scenario. Every write etcd acknowledged is recorded; {@link #stopAndVerify()}
 * reads them all back, so a scenario can prove no acknowledged write was lost. Bounded in count and time.
 */
public final class WriteLoad implements AutoCloseable {
  private static final int MAX_WRITES = 50_000;
  private static final Duration MAX_TIME = Duration.ofMinutes(10);

  /**
   * What happened to the writes: how many etcd acknowledged, how many failed (and were retried as the next write), the
   * acknowledged ones not read back, and the longest time between two acknowledgements (the availability gap).
   */
  public record Report(int acknowledged, int failed, List<String> missing, Duration longestGap) {}

  private volatile Client client;
  private final List<String> urls;
  private final java.util.function.Supplier<ClientCredentials> credentials;
  private final String prefix;
  private final Map<String, String> acked = new ConcurrentHashMap<>();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private volatile long lastAckNanos;
  private volatile long longestGapNanos;
  private final Thread writer;

  public WriteLoad(List<String> clientUrls, ClientCredentials credentials, String prefix) {
    this(clientUrls, () -> credentials, prefix);
  }

  /** Credentials are read again after a failed write, as an application watching its Secret would. */
  public WriteLoad(List<String> clientUrls, java.util.function.Supplier<ClientCredentials> credentials, String prefix) {
    this.urls = clientUrls;
    this.credentials = credentials;
    this.client = ClientCredentials.jetcd(clientUrls, credentials.get());
    this.prefix = prefix;
    this.writer = new Thread(this::run, "write-load-" + prefix);
    writer.setDaemon(true);
    writer.start();
  }

  private void run() {
    Instant end = Instant.now().plus(MAX_TIME);
    for (int i = 0; running.get() && i < MAX_WRITES && Instant.now().isBefore(end); i++) {
      String key = prefix + String.format("%06d", i);
      String value = "v" + i + "-" + System.nanoTime();
      try {
        client.getKVClient().put(bytes(key), bytes(value)).get(5, TimeUnit.SECONDS);
        acked.put(key, value);
        long ackedAt = System.nanoTime();
        if (lastAckNanos != 0) longestGapNanos = Math.max(longestGapNanos, ackedAt - lastAckNanos);
        lastAckNanos = ackedAt;
      } catch (Exception e) {
        failed.incrementAndGet();
        Client old = client;
        client = ClientCredentials.jetcd(urls, credentials.get());
        old.close();
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  public int acknowledged() {
    return acked.size();
  }

  /** Waits until {@code count} more writes than now are acknowledged: the cluster is taking writes. */
  public void awaitMore(int count, Duration within) {
    int from = acknowledged();
    org.awaitility.Awaitility.await().atMost(within).until(() -> acknowledged() >= from + count);
  }

  /** Stops writing and reads every acknowledged key back. */
  public Report stopAndVerify() throws Exception {
    running.set(false);
    writer.join(30_000);
    Map<String, String> stored = new TreeMap<>();
    for (KeyValue kv : client.getKVClient().get(bytes(prefix), GetOption.builder().isPrefix(true).build())
        .get(30, TimeUnit.SECONDS).getKvs()) {
      stored.put(kv.getKey().toString(StandardCharsets.UTF_8), kv.getValue().toString(StandardCharsets.UTF_8));
    }
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(acked).entrySet()) {
      if (!e.getValue().equals(stored.get(e.getKey()))) missing.add(e.getKey());
    }
    return new Report(acked.size(), failed.get(), missing, Duration.ofNanos(longestGapNanos));
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    running.set(false);
    client.close();
  }
}
