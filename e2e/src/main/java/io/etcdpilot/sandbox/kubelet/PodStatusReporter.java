package io.etcdpilot.sandbox.kubelet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * A pod's status as the kubelet reports it: phase, conditions (transition times kept while they hold), container and
 * init container statuses with their last termination. Written only when something other than a time changed.
 */
final class PodStatusReporter {
  private final PodContext ctx;
  private final Instant startTime = Instant.now();
  private ObjectNode lastStatus;

  PodStatusReporter(PodContext ctx) {
    this.ctx = ctx;
  }

  synchronized void publish(Map<String, ContainerState> containers, Map<String, ContainerState> inits) {
    ObjectNode status = Kubelet.JSON.createObjectNode();
    boolean allRunning = !containers.isEmpty();
    boolean allReady = !containers.isEmpty();
    ArrayNode statuses = Kubelet.JSON.createArrayNode();
    boolean allTerminated = !containers.isEmpty();
    boolean anyTerminated = false;
    boolean anyFailed = false;
    boolean anyRunning = false;
    for (Map.Entry<String, ContainerState> e : containers.entrySet()) {
      ContainerState cs = e.getValue();
      ObjectNode s = containerStatus(statuses, e.getKey(), cs);
      s.put("ready", cs.ready);
      boolean running = cs.process != null && cs.process.isAlive() && cs.waitingReason == null;
      s.put("started", running);
      ObjectNode state = s.putObject("state");
      if (cs.terminated && !running) {
        terminated(state, cs);
        anyTerminated = true;
        anyFailed |= cs.lastExitCode != 0;
        allReady = false;
        continue;
      }
      allTerminated = false;
      anyRunning |= running;
      if (running) {
        state.putObject("running").put("startedAt", ts(cs.startedAt));
        s.put("containerID", "sandbox://" + cs.process.pid());
      } else {
        ObjectNode w = state.putObject("waiting");
        w.put("reason", cs.waitingReason == null ? "ContainerCreating" : cs.waitingReason);
        if (cs.waitingMessage != null) w.put("message", cs.waitingMessage);
      }
      if (cs.lastExitCode != null) {
        ObjectNode t = s.putObject("lastState").putObject("terminated").put("exitCode", cs.lastExitCode)
            .put("reason", cs.lastExitCode == 0 ? "Completed" : "Error");
        if (cs.lastStartedAt != null) t.put("startedAt", ts(cs.lastStartedAt));
        if (cs.lastFinishedAt != null) t.put("finishedAt", ts(cs.lastFinishedAt));
        if (cs.lastMessage != null) t.put("message", cs.lastMessage);
      }
      allRunning &= running;
      allReady &= cs.ready && running;
    }
    boolean initFailed = inits.values().stream().anyMatch(i -> i.terminated && i.lastExitCode != null
        && i.lastExitCode != 0);
    // As the kubelet: Failed once a container (or an init container) failed for good, Succeeded once all exited 0.
    String phase = initFailed || (allTerminated && anyFailed) ? "Failed" : allTerminated && anyTerminated ? "Succeeded"
        : allRunning || (anyRunning && anyTerminated) ? "Running" : "Pending";
    status.put("phase", phase);
    ArrayNode conditions = status.putArray("conditions");
    condition(conditions, "PodScheduled", true);
    condition(conditions, "Initialized", true);
    condition(conditions, "ContainersReady", allReady);
    condition(conditions, "Ready", allReady);
    status.put("hostIP", "127.0.0.1");
    status.putArray("hostIPs").addObject().put("ip", "127.0.0.1");
    status.put("podIP", ctx.ip());
    status.putArray("podIPs").addObject().put("ip", ctx.ip());
    status.put("startTime", ts(startTime));
    status.set("containerStatuses", statuses);
    if (!inits.isEmpty()) status.set("initContainerStatuses", initStatuses(inits));
    if (lastStatus != null && sameIgnoringTimes(lastStatus, status)) return;
    lastStatus = status;
    ctx.kubelet().writePodStatus(ctx, status);
  }

  /** A container's status entry with what every container reports: name, image, restarts. */
  private static ObjectNode containerStatus(ArrayNode into, String name, ContainerState cs) {
    ObjectNode s = into.addObject();
    s.put("name", name);
    s.put("image", cs.spec.path("image").asText());
    s.put("imageID", "");
    s.put("restartCount", cs.restarts);
    return s;
  }

  /** Init containers as the kubelet reports them: running, completed, or back-off after a failure. */
  private static ArrayNode initStatuses(Map<String, ContainerState> inits) {
    ArrayNode out = Kubelet.JSON.createArrayNode();
    for (Map.Entry<String, ContainerState> e : inits.entrySet()) {
      ContainerState cs = e.getValue();
      ObjectNode s = containerStatus(out, e.getKey(), cs);
      s.put("ready", cs.started);
      ObjectNode state = s.putObject("state");
      if (cs.terminated) {
        terminated(state, cs);
        continue;
      }
      if (cs.started) {
        ObjectNode t = state.putObject("terminated").put("exitCode", 0).put("reason", "Completed");
        if (cs.lastFinishedAt != null) t.put("finishedAt", ts(cs.lastFinishedAt));
      } else if (cs.process != null) {
        state.putObject("running").put("startedAt", ts(cs.startedAt));
      } else {
        state.putObject("waiting").put("reason", cs.waitingReason == null ? "PodInitializing" : cs.waitingReason);
      }
      if (cs.lastExitCode != null && cs.lastExitCode != 0) {
        ObjectNode t = s.putObject("lastState").putObject("terminated").put("exitCode", cs.lastExitCode).put("reason", "Error");
        if (cs.lastFinishedAt != null) t.put("finishedAt", ts(cs.lastFinishedAt));
        if (cs.lastMessage != null) t.put("message", cs.lastMessage);
      }
    }
    return out;
  }

  private static void terminated(ObjectNode state, ContainerState cs) {
    int code = cs.lastExitCode == null ? 0 : cs.lastExitCode;
    ObjectNode t = state.putObject("terminated").put("exitCode", code).put("reason", code == 0 ? "Completed" : "Error");
    if (cs.lastStartedAt != null) t.put("startedAt", ts(cs.lastStartedAt));
    if (cs.lastFinishedAt != null) t.put("finishedAt", ts(cs.lastFinishedAt));
    if (cs.lastMessage != null) t.put("message", cs.lastMessage);
  }

  private static boolean sameIgnoringTimes(ObjectNode a, ObjectNode b) {
    return a.toString().replaceAll("\"lastTransitionTime\":\"[^\"]*\"", "")
        .equals(b.toString().replaceAll("\"lastTransitionTime\":\"[^\"]*\"", ""));
  }

  private void condition(ArrayNode conditions, String type, boolean value) {
    String previous = lastStatus == null ? null : lastStatusCondition(type);
    String now = value ? "True" : "False";
    ObjectNode c = conditions.addObject().put("type", type).put("status", now);
    c.put("lastTransitionTime", now.equals(previous) ? lastTransition(type) : ts(Instant.now()));
  }

  private String lastStatusCondition(String type) {
    for (JsonNode c : lastStatus.path("conditions")) if (type.equals(c.path("type").asText())) return c.path("status").asText();
    return null;
  }

  private String lastTransition(String type) {
    for (JsonNode c : lastStatus.path("conditions")) if (type.equals(c.path("type").asText())) return c.path("lastTransitionTime").asText();
    return ts(Instant.now());
  }

  static String ts(Instant i) {
    return i.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
