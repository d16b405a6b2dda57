package io.etcdpilot.operator.cluster;

import java.time.Duration;

/** Settings of one operator process, the same in production and in the sandbox. */
public record OperatorSettings(String clusterDomain, Duration steadyResync, Duration busyResync) {
  public static OperatorSettings defaults() {
    return new OperatorSettings("cluster.local", Duration.ofSeconds(60), Duration.ofSeconds(5));
  }
}
