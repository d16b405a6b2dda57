package io.etcdpilot.sandbox.kubelet;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A container's probes as the kubelet runs them: startup first (readiness and liveness wait for it), readiness
 * marking it ready or not, liveness and startup failures restarting it; HTTP, TCP and exec, at the pod's address.
 */
final class Probes {
  private static final Logger log = LoggerFactory.getLogger(Probes.class);

  private final PodContext ctx;
  private final BooleanSupplier terminating;
  private final Runnable publishStatus;
  private final Map<String, Long> lastProbe = new ConcurrentHashMap<>();

  Probes(PodContext ctx, BooleanSupplier terminating, Runnable publishStatus) {
    this.ctx = ctx;
    this.terminating = terminating;
    this.publishStatus = publishStatus;
  }

  void schedule(ContainerState cs) {
    JsonNode readiness = cs.spec.path("readinessProbe");
    JsonNode liveness = cs.spec.path("livenessProbe");
    JsonNode startup = cs.spec.path("startupProbe");
    if (readiness.isMissingNode() || cs.placeholder) {
      cs.ready = true;
      publishStatus.run();
    }
    long period = 1000;
    Instant started = cs.startedAt;
    String container = cs.spec.path("name").asText();
    cs.probes = ctx.kubelet().scheduler().scheduleWithFixedDelay(() -> {
      if (terminating.getAsBoolean() || cs.process == null || !cs.process.isAlive()) return;
      long age = Instant.now().toEpochMilli() - started.toEpochMilli();
      if (cs.placeholder) return;
      if (!cs.startupSucceeded) {
        if (due(startup, age, cs, "s")) {
          if (probe(startup, cs)) {
            cs.startupSucceeded = true;
          } else if (++cs.startupFailures >= startup.path("failureThreshold").asInt(3)) {
            log.info("pod {}/{}: startup probe failed, restarting {}", ctx.namespace(), ctx.name(), container);
            ctx.event("Warning", "Unhealthy", "Startup probe failed", container);
            cs.startupFailures = 0;
            ContainerProcess.kill(cs.process, 2);
          }
        }
        return; // readiness and liveness probes wait for it, as the kubelet's do
      }
      if (!readiness.isMissingNode() && due(readiness, age, cs, "r")) {
        boolean ok = probe(readiness, cs);
        if (ok) {
          cs.readinessFailures = 0;
          if (++cs.readinessSuccesses >= readiness.path("successThreshold").asInt(1) && !cs.ready) {
            cs.ready = true;
            publishStatus.run();
          }
        } else {
          cs.readinessSuccesses = 0;
          if (++cs.readinessFailures >= readiness.path("failureThreshold").asInt(3) && cs.ready) {
            cs.ready = false;
            publishStatus.run();
          }
        }
      }
      if (!liveness.isMissingNode() && due(liveness, age, cs, "l")) {
        if (probe(liveness, cs)) {
          cs.livenessFailures = 0;
        } else if (++cs.livenessFailures >= liveness.path("failureThreshold").asInt(3)) {
          log.info("pod {}/{}: liveness probe failed, restarting {}", ctx.namespace(), ctx.name(), container);
          ctx.event("Warning", "Unhealthy", "Liveness probe failed", container);
          cs.livenessFailures = 0;
          ContainerProcess.kill(cs.process, 2);
        }
      }
    }, period, period, TimeUnit.MILLISECONDS);
  }

  private boolean due(JsonNode probe, long ageMillis, ContainerState cs, String kind) {
    if (ageMillis < probe.path("initialDelaySeconds").asLong(0) * 1000) return false;
    String key = cs.spec.path("name").asText() + kind;
    long now = System.currentTimeMillis();
    long last = lastProbe.getOrDefault(key, 0L);
    if (now - last < probe.path("periodSeconds").asLong(10) * 1000 - 100) return false;
    lastProbe.put(key, now);
    return true;
  }

  private boolean probe(JsonNode probe, ContainerState cs) {
    int timeout = (int) Math.max(1, probe.path("timeoutSeconds").asLong(1)) * 1000;
    try {
      if (probe.has("httpGet")) {
        JsonNode h = probe.path("httpGet");
        int port = port(h.path("port"), cs);
        String host = h.path("host").asText(ctx.ip());
        HttpURLConnection c = (HttpURLConnection) URI.create(h.path("scheme").asText("HTTP").toLowerCase() + "://"
            + host + ":" + port + h.path("path").asText("/")).toURL().openConnection();
        c.setConnectTimeout(timeout);
        c.setReadTimeout(timeout);
        int code = c.getResponseCode();
        c.disconnect();
        return code >= 200 && code < 400;
      }
      if (probe.has("tcpSocket")) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(probe.path("tcpSocket").path("host").asText(ctx.ip()),
              port(probe.path("tcpSocket").path("port"), cs)), timeout);
          return true;
        }
      }
      if (probe.has("exec")) {
        List<String> cmd = new ArrayList<>();
        probe.path("exec").path("command").forEach(n -> cmd.add(n.asText()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(timeout, TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          return false;
        }
        return p.exitValue() == 0;
      }
      return true; // grpc probes: not run in the sandbox
    } catch (IOException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static int port(JsonNode port, ContainerState cs) {
    if (port.isInt()) return port.asInt();
    for (JsonNode p : cs.spec.path("ports")) {
      if (port.asText().equals(p.path("name").asText())) return p.path("containerPort").asInt();
    }
    return Integer.parseInt(port.asText());
  }
}
