package io.etcdpilot.sandbox.kubelet;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;

/** What the kubelet tracks of one container: its spec, its process, its restarts, probe counts and last exit. */
final class ContainerState {
  final JsonNode spec;
  volatile Process process;
  volatile int restarts;
  volatile boolean ready;
  volatile boolean started;
  volatile String waitingReason;
  volatile String waitingMessage;
  volatile Instant startedAt;
  volatile Integer lastExitCode;
  volatile String lastMessage;
  volatile Instant lastFinishedAt;
  volatile Instant lastStartedAt;
  volatile long logOffset;
  volatile int livenessFailures;
  volatile int startupFailures;
  /** The startup probe has passed (or there is none): readiness and liveness probes run from then on. */
  volatile boolean startupSucceeded;
  volatile int readinessFailures;
  volatile int readinessSuccesses;
  volatile long backoffMillis = 1000;
  /** An image with no local program: a stand-in process runs, and it counts as ready. */
  volatile boolean placeholder;
  /** Exited for good (restartPolicy Never, or OnFailure after success): its last exit is its state. */
  volatile boolean terminated;
  ScheduledFuture<?> probes;

  ContainerState(JsonNode spec) {
    this.spec = spec;
  }
}
