package io.etcdpilot.sandbox.kubelet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pod on the sandbox node, from start to termination: volumes ({@link PodVolumes}), init containers in order, then
 * the containers as local processes ({@link ContainerProcess}) with probes ({@link Probes}), restarts with back-off,
 * status reports ({@link PodStatusReporter}), and graceful termination.
 */
final class PodRunner {
  private static final Logger log = LoggerFactory.getLogger(PodRunner.class);

  private final PodContext ctx;
  final String namespace;
  final String name;
  final String ip;
  final String uid;
  final ObjectNode pod;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final PodVolumes volumes;
  private final ContainerProcess processes;
  private final Probes probes;
  private final PodStatusReporter status;
  private final Map<String, ContainerState> containers = new LinkedHashMap<>();
  /** Init containers by name, in order, as their statuses report them. */
  private final Map<String, ContainerState> inits = new LinkedHashMap<>();
  private volatile boolean terminating;
  private volatile java.util.concurrent.ScheduledFuture<?> volumeSync;
  /** Held while a process is spawned and while termination begins: nothing is spawned once terminating is set. */
  private final Object spawning = new Object();

  PodRunner(Kubelet kubelet, ObjectNode pod, String ip, int runAs) {
    this.ctx = PodContext.of(kubelet, pod, ip, runAs);
    this.pod = pod;
    this.namespace = ctx.namespace();
    this.name = ctx.name();
    this.ip = ip;
    this.uid = ctx.uid();
    this.volumes = new PodVolumes(ctx);
    this.processes = new ContainerProcess(ctx, volumes.dirs());
    this.probes = new Probes(ctx, () -> terminating, this::publishStatus);
    this.status = new PodStatusReporter(ctx);
  }

  PodContext context() {
    return ctx;
  }

  /** True the first time: the pod is being deleted. */
  boolean stopped() {
    return terminating;
  }

  boolean markStopping() {
    return stopping.compareAndSet(false, true);
  }

  Path podDir() {
    return ctx.podDir();
  }

  Map<String, Path> volumeDirs() {
    return volumes.dirs();
  }

  void start() {
    try {
      Files.createDirectories(ctx.podDir());
      Files.writeString(Kubelet.podUserFile(ctx.kubelet().dir(), namespace, name), Integer.toString(ctx.runAs()));
      volumes.awaitClaims(() -> terminating);
      if (terminating) return;
      volumes.prepare();
      long period = ctx.kubelet().volumeSyncPeriod().toMillis();
      synchronized (spawning) {
        if (terminating) return;
        // Each pod at a phase of its own, as pods' syncs spread out on a real node.
        volumeSync = ctx.kubelet().scheduler().scheduleWithFixedDelay(volumes::sync,
            java.util.concurrent.ThreadLocalRandom.current().nextLong(period), period, TimeUnit.MILLISECONDS);
      }
      for (JsonNode init : pod.path("spec").path("initContainers")) {
        if (!runInit(init)) return;
      }
      synchronized (spawning) {
        if (terminating) return;
        for (JsonNode c : pod.path("spec").path("containers")) {
          containers.put(c.path("name").asText(), new ContainerState(c));
        }
      }
      for (ContainerState cs : containers.values()) {
        launch(cs);
      }
    } catch (Exception e) {
      log.warn("pod {}/{} failed to start: {}", namespace, name, e.toString());
      for (ContainerState cs : containers.values()) {
        cs.waitingReason = "CreateContainerError";
        cs.waitingMessage = e.getMessage();
      }
      publishStatus();
    }
  }

  /** A ConfigMap or Secret changed: the pod's volumes of it are rewritten at its next sync. */
  void objectChanged(String kind, String objectName) {
    volumes.changed(kind, objectName);
  }

  private boolean runInit(JsonNode init) throws InterruptedException {
    String cname = init.path("name").asText();
    ContainerState cs = new ContainerState(init);
    synchronized (this) {
      inits.put(cname, cs);
    }
    while (!terminating) {
      try {
        Path logFile = ctx.kubelet().logFile(namespace, name, cname);
        cs.logOffset = Files.exists(logFile) ? Files.size(logFile) : 0;
        cs.startedAt = Instant.now();
        Process p;
        synchronized (spawning) {
          if (terminating) return false;
          p = processes.spawn(init, cname, null);
          cs.process = p;
        }
        publishStatus();
        int code = p.waitFor();
        cs.lastExitCode = code;
        cs.lastStartedAt = cs.startedAt;
        cs.lastFinishedAt = Instant.now();
        cs.lastMessage = terminationMessage(cs, init, code);
        cs.process = null;
        if (code == 0) {
          cs.started = true; // completed
          publishStatus();
          return true;
        }
        if (pod.path("spec").path("restartPolicy").asText("Always").equals("Never")) {
          // The pod has failed: no init container is retried, no container starts.
          cs.terminated = true;
          publishStatus();
          return false;
        }
        cs.restarts++;
        cs.waitingReason = "CrashLoopBackOff";
        publishStatus();
      } catch (IOException | RuntimeException e) {
        log.warn("init container {} of {}/{}: {}", cname, namespace, name, e.getMessage());
      }
      Thread.sleep(2000);
    }
    return false;
  }

  private void launch(ContainerState cs) {
    if (terminating) return;
    String cname = cs.spec.path("name").asText();
    String image = cs.spec.path("image").asText();
    try {
      cs.placeholder = !ContainerProcess.isOperatorImage(image) && EtcdBinaries.versionOfImage(image).isEmpty();
      synchronized (spawning) {
        if (terminating) return;
        cs.process = processes.spawn(cs.spec, cname, cs);
      }
      if (cs.restarts == 0) {
        ctx.event("Normal", "Pulled", cs.placeholder
            ? "Image \"" + image + "\" has no program on this machine: running a placeholder process"
            : "Container image \"" + image + "\" already present on machine", cname);
      }
      ctx.event("Normal", "Created", "Created container: " + cname, cname);
      ctx.event("Normal", "Started", "Started container " + cname, cname);
      cs.startedAt = Instant.now();
      cs.started = true;
      cs.waitingReason = null;
      cs.waitingMessage = null;
      cs.ready = false;
      cs.livenessFailures = 0;
      cs.startupFailures = 0;
      cs.startupSucceeded = cs.spec.path("startupProbe").isMissingNode();
      cs.readinessFailures = 0;
      cs.readinessSuccesses = 0;
      ctx.kubelet().recordPid(ctx, cname, cs.process.pid());
      log.info("pod {}/{}: started {} (pid {})", namespace, name, cname, cs.process.pid());
      publishStatus();
      probes.schedule(cs);
      Process mine = cs.process;
      mine.onExit().thenAccept(p -> onExit(cs, mine));
    } catch (ContainerProcess.ImageUnavailable e) {
      boolean first = cs.restarts == 0 && cs.waitingReason == null;
      cs.waitingReason = first ? "ErrImagePull" : "ImagePullBackOff";
      cs.waitingMessage = e.getMessage();
      if (first) ctx.event("Warning", "Failed", "Failed to pull image \"" + image + "\": " + e.getMessage(), cname);
      else ctx.event("Normal", "BackOff", "Back-off pulling image \"" + image + "\"", cname);
      publishStatus();
      retryLater(cs);
    } catch (IOException | RuntimeException e) {
      cs.waitingReason = "CreateContainerConfigError";
      cs.waitingMessage = e.getMessage();
      publishStatus();
      retryLater(cs);
    }
  }

  private void retryLater(ContainerState cs) {
    long delay = cs.backoffMillis;
    cs.backoffMillis = Math.min(cs.backoffMillis * 2, 20_000);
    ctx.kubelet().scheduler().schedule(() -> launch(cs), delay, TimeUnit.MILLISECONDS);
  }

  private void onExit(ContainerState cs, Process exited) {
    if (cs.process != exited) return;
    if (cs.probes != null) cs.probes.cancel(false);
    cs.ready = false;
    cs.lastExitCode = exited.exitValue();
    cs.lastStartedAt = cs.startedAt;
    cs.lastFinishedAt = Instant.now();
    cs.lastMessage = terminationMessage(cs, cs.spec, cs.lastExitCode);
    if (terminating) return;
    log.info("pod {}/{}: container {} exited with {}", namespace, name, cs.spec.path("name").asText(), cs.lastExitCode);
    boolean ranLong = cs.startedAt != null && cs.startedAt.isBefore(Instant.now().minusSeconds(10));
    if (ranLong) cs.backoffMillis = 1000;
    String policy = pod.path("spec").path("restartPolicy").asText("Always");
    if (policy.equals("Never") || (policy.equals("OnFailure") && cs.lastExitCode == 0)) {
      cs.terminated = true;
      publishStatus();
      return;
    }
    cs.restarts++;
    ctx.event("Warning", "BackOff", "Back-off restarting failed container " + cs.spec.path("name").asText(),
        cs.spec.path("name").asText());
    cs.waitingReason = "CrashLoopBackOff";
    cs.waitingMessage = "back-off " + cs.backoffMillis / 1000 + "s restarting failed container";
    publishStatus();
    retryLater(cs);
  }

  /**
   * The container's termination message, as the kubelet reads it: the file at its terminationMessagePath (here only
   * when that path lies on one of its volumes: the sandbox does not mount a file of its own there), else, for
   * FallbackToLogsOnError and a failure, the end of its log.
   */
  private String terminationMessage(ContainerState cs, JsonNode spec, int exitCode) {
    String path = spec.path("terminationMessagePath").asText("/dev/termination-log");
    for (JsonNode m : spec.path("volumeMounts")) {
      String mountPath = m.path("mountPath").asText();
      Path dir = volumes.dirs().get(m.path("name").asText());
      if (dir == null || !path.startsWith(mountPath + "/")) continue;
      Path file = dir.resolve(path.substring(mountPath.length() + 1));
      try {
        if (Files.isRegularFile(file) && Files.size(file) > 0) {
          byte[] b = Files.readAllBytes(file);
          return new String(b, 0, Math.min(b.length, 4096), StandardCharsets.UTF_8);
        }
      } catch (IOException e) {
        // as no message
      }
    }
    return exitCode != 0 && "FallbackToLogsOnError".equals(spec.path("terminationMessagePolicy").asText())
        ? logTail(cs) : null;
  }

  /**
   * What the kubelet reports for terminationMessagePolicy FallbackToLogsOnError: the end of the failed
   * container's own output, at most 80 lines and 2048 bytes.
   */
  private String logTail(ContainerState cs) {
    Path logFile = ctx.kubelet().logFile(namespace, name, cs.spec.path("name").asText());
    try (var in = Files.newInputStream(logFile)) {
      in.skipNBytes(Math.min(cs.logOffset, Files.size(logFile)));
      String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<String> lines = List.of(out.split("\n"));
      String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
      return tail.length() > 2048 ? tail.substring(tail.length() - 2048) : tail;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** SIGTERM, the grace period, then SIGKILL; blocks until every process is gone. */
  void terminate(long graceSeconds) {
    List<ContainerState> all = new ArrayList<>();
    synchronized (spawning) {
      terminating = true;
      synchronized (this) {
        all.addAll(inits.values());
      }
      all.addAll(containers.values());
    }
    if (volumeSync != null) volumeSync.cancel(false);
    for (ContainerState cs : all) {
      if (cs.probes != null) cs.probes.cancel(false);
      cs.ready = false;
    }
    for (ContainerState cs : all) {
      Process p = cs.process;
      if (p != null) ContainerProcess.kill(p, graceSeconds);
    }
    // Only empty mount points are left of it on the host (the binds lived in the pod's own namespace). Never a
    // recursive delete: were a bind ever visible here, it would reach into the volume's data.
    Path staging = processes.stagingDir();
    try (var points = Files.isDirectory(staging) ? Files.list(staging) : Stream.<Path>empty()) {
      for (Path p : points.toList()) Files.deleteIfExists(p);
      Files.deleteIfExists(staging);
    } catch (IOException | RuntimeException e) {
      log.debug("pod {}/{}: staging directory left: {}", namespace, name, e.toString());
    }
  }

  boolean ready() {
    return !terminating && !containers.isEmpty() && containers.values().stream().allMatch(c -> c.ready);
  }

  synchronized void publishStatus() {
    if (terminating) return;
    status.publish(containers, inits);
  }

  /** The pod's labels (Services select on them). */
  Map<String, String> labels() {
    Map<String, String> out = new LinkedHashMap<>();
    pod.path("metadata").path("labels").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  String firstContainer() {
    return pod.path("spec").path("containers").path(0).path("name").asText();
  }

  Optional<Long> pid(String container) {
    ContainerState cs = container == null ? containers.values().stream().findFirst().orElse(null) : containers.get(container);
    return cs == null || cs.process == null || !cs.process.isAlive() ? Optional.empty() : Optional.of(cs.process.pid());
  }
}
