package io.etcdpilot.sandbox.kubelet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcdpilot.operator.model.RestoreSteps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Launching one container as a local process: its environment (values, ConfigMap and Secret keys, downward API), its
 * image mapped to a program this machine has (etcd's binaries, the operator's jar, else a placeholder), and a private
 * mount namespace with the pod's hosts file and volumes, run as the pod's user.
 */
final class ContainerProcess {
  private static final Pattern VAR_REF = Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");

  private final PodContext ctx;
  private final Map<String, Path> volumeDirs;

  ContainerProcess(PodContext ctx, Map<String, Path> volumeDirs) {
    this.ctx = ctx;
    this.volumeDirs = volumeDirs;
  }

  /** Thrown when an image maps to no local binary: the pod waits as it would on a failed pull. */
  static final class ImageUnavailable extends RuntimeException {
    ImageUnavailable(String message) {
      super(message);
    }
  }

  /** Starts the container's process, its output appended to the container's log. */
  Process spawn(JsonNode c, String container, ContainerState cs) throws IOException {
    Map<String, String> env = environment(c);
    List<String> cmd = inPodNamespace(c, commandLine(c, env));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    pb.environment().put("HOSTNAME", ctx.name());
    pb.environment().putAll(env);
    Path logFile = ctx.kubelet().logFile(ctx.namespace(), ctx.name(), container);
    Files.createDirectories(logFile.getParent());
    if (cs != null) cs.logOffset = Files.exists(logFile) ? Files.size(logFile) : 0;
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    return pb.start();
  }

  /** SIGTERM, up to the grace period, then SIGKILL. */
  static void kill(Process p, long graceSeconds) {
    if (!p.isAlive()) return;
    p.destroy();
    try {
      if (!p.waitFor(Math.max(0, graceSeconds), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** The operator's own image (the chart's, or any repository of that name): it runs the operator's jar. */
  static boolean isOperatorImage(String image) {
    return image.contains("etcdpilot-operator");
  }

  /** Kubernetes' $(VAR) expansion: defined variables are substituted, $$ escapes, unknown references stay. */
  static String expand(String s, Map<String, String> env) {
    Matcher m = VAR_REF.matcher(s);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String rep;
      if (m.group().equals("$$")) rep = "$";
      else rep = env.getOrDefault(m.group(1), m.group());
      m.appendReplacement(sb, Matcher.quoteReplacement(rep));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** Where this pod's volume sources are bound before they are mounted at their paths (empty outside the pod). */
  Path stagingDir() {
    return Path.of("/run/etcdpilot-sandbox", ctx.uid());
  }

  private Map<String, String> environment(JsonNode c) {
    Kubelet kubelet = ctx.kubelet();
    Map<String, String> env = new LinkedHashMap<>(kubelet.apiServerEnvironment());
    for (JsonNode from : c.path("envFrom")) {
      String kind = from.has("configMapRef") ? "ConfigMap" : "Secret";
      JsonNode ref = from.has("configMapRef") ? from.path("configMapRef") : from.path("secretRef");
      kubelet.lookup(kind, ctx.namespace(), ref.path("name").asText()).ifPresent(o -> o.path("data").fields()
          .forEachRemaining(e -> env.put(from.path("prefix").asText("") + e.getKey(), kind.equals("Secret")
              ? new String(Base64.getDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8) : e.getValue().asText())));
    }
    for (JsonNode e : c.path("env")) {
      String key = e.path("name").asText();
      if (e.has("value")) {
        env.put(key, expand(e.path("value").asText(), env));
        continue;
      }
      JsonNode from = e.path("valueFrom");
      String value = null;
      if (from.has("fieldRef")) {
        value = ctx.fieldValue(from.path("fieldRef").path("fieldPath").asText());
      } else if (from.has("configMapKeyRef") || from.has("secretKeyRef")) {
        boolean secret = from.has("secretKeyRef");
        JsonNode ref = secret ? from.path("secretKeyRef") : from.path("configMapKeyRef");
        Optional<ObjectNode> obj = kubelet.lookup(secret ? "Secret" : "ConfigMap", ctx.namespace(), ref.path("name").asText());
        JsonNode v = obj.map(o -> o.path("data").path(ref.path("key").asText())).orElse(null);
        if (v == null || v.isMissingNode()) {
          if (ref.path("optional").asBoolean(false)) continue;
          throw new IllegalStateException("couldn't find key " + ref.path("key").asText() + " in "
              + (secret ? "Secret" : "ConfigMap") + " " + ctx.namespace() + "/" + ref.path("name").asText());
        }
        value = secret ? new String(Base64.getDecoder().decode(v.asText()), StandardCharsets.UTF_8) : v.asText();
      }
      if (value != null) env.put(key, value);
    }
    return env;
  }

  private List<String> commandLine(JsonNode c, Map<String, String> env) {
    Kubelet kubelet = ctx.kubelet();
    String image = c.path("image").asText();
    if (Files.exists(Kubelet.pullFailsMarker(kubelet.dir(), ctx.namespace(), ctx.name()))) {
      throw new ImageUnavailable("failed to pull image " + image + ": registry unreachable from this node (sandbox fault pull-fails)");
    }
    if (isOperatorImage(image)) return operatorImage(c, env, image);
    Optional<String> version = EtcdBinaries.versionOfImage(image);
    if (version.isEmpty()) {
      // Not a program this machine has: a stand-in keeps the pod running, and says so in its log.
      return List.of("/bin/sh", "-c", "echo \"sandbox: image $0 has no program on this machine; running a placeholder process\";"
          + " exec sleep infinity", image);
    }
    Path bin = kubelet.binaries().binDir(version.get()).orElseThrow(() -> new ImageUnavailable(
        "the sandbox has no etcd " + version.get() + " binary for image " + image + "; available: "
            + kubelet.binaries().available()));
    List<String> cmd = new ArrayList<>();
    List<String> command = new ArrayList<>();
    c.path("command").forEach(n -> command.add(expand(n.asText(), env)));
    if (command.isEmpty()) command.add("etcd");
    String exe = Path.of(command.get(0)).getFileName().toString();
    if (!exe.equals("etcd") && !exe.equals("etcdctl") && !exe.equals("etcdutl")) {
      throw new ImageUnavailable("image " + image + " has no " + command.get(0) + " in the sandbox");
    }
    cmd.add(bin.resolve(exe).toString());
    cmd.addAll(command.subList(1, command.size()));
    c.path("args").forEach(n -> cmd.add(expand(n.asText(), env)));
    return cmd;
  }

  /**
   * The operator's image: its java runs the operator's jar, as the chart's Deployment (the image's entry point, read
   * from the Dockerfile that builds it) and the restore steps of a cluster created from a snapshot (their command).
   */
  private List<String> operatorImage(JsonNode c, Map<String, String> env, String image) {
    List<String> cmd = new ArrayList<>();
    c.path("command").forEach(n -> cmd.add(expand(n.asText(), env)));
    if (cmd.isEmpty()) cmd.addAll(ctx.kubelet().operatorEntrypoint());
    c.path("args").forEach(n -> cmd.add(expand(n.asText(), env)));
    if (cmd.isEmpty() || !cmd.get(0).equals("java")) {
      throw new ImageUnavailable("image " + image + " runs java in the sandbox, not " + (cmd.isEmpty() ? "nothing" : cmd.get(0)));
    }
    try {
      String jar = ctx.kubelet().agentJar().toString();
      cmd.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.replaceAll(a -> a.equals(RestoreSteps.AGENT_JAR) ? jar : a);
      // No cgroup limit here for the JVM to size itself by: it is told the container's memory limit instead, so that
      // its percentages of RAM mean what they mean under the limit on a real node.
      String limit = c.path("resources").path("limits").path("memory").asText("");
      if (!limit.isEmpty()) {
        cmd.add(1, "-XX:MaxRAM=" + io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(
            new io.fabric8.kubernetes.api.model.Quantity(limit)).longValue());
      }
      return cmd;
    } catch (IOException e) {
      throw new ImageUnavailable("image " + image + ": " + e.getMessage());
    }
  }

  /** Wraps a command so it runs in its own mount namespace with the pod's hosts file and volumes. */
  private List<String> inPodNamespace(JsonNode c, List<String> cmd) {
    StringBuilder script = new StringBuilder("set -e\n");
    script.append("mount --bind ").append(quote(ctx.kubelet().hosts().podPath().toString())).append(" /etc/hosts\n");
    List<JsonNode> mounts = new ArrayList<>();
    c.path("volumeMounts").forEach(mounts::add);
    mounts.sort(Comparator.comparingInt(m -> m.path("mountPath").asText().length()));
    // Every source is first bound under a staging directory no pod mounts over: a volume mounted at /tmp would
    // otherwise hide the sources of later mounts when the sandbox's own directory is under /tmp.
    String staging = stagingDir().toString();
    int i = 0;
    for (JsonNode m : mounts) {
      Path src = volumeDirs.get(m.path("name").asText());
      if (src == null) continue;
      if (m.has("subPath")) src = src.resolve(m.path("subPath").asText());
      String staged = quote(staging + "/" + i++);
      script.append("if [ -d ").append(quote(src.toString())).append(" ]; then mkdir -p ").append(staged)
          .append("; else touch ").append(staged).append("; fi && mount --bind ").append(quote(src.toString()))
          .append(' ').append(staged).append('\n');
    }
    i = 0;
    for (JsonNode m : mounts) {
      if (volumeDirs.get(m.path("name").asText()) == null) continue;
      String target = m.path("mountPath").asText();
      script.append("mkdir -p ").append(quote(target)).append(" && mount --bind ").append(quote(staging + "/" + i++))
          .append(' ').append(quote(target)).append('\n');
    }
    // Mounts need root; the container itself runs as the pod's own user.
    script.append("exec setpriv --reuid=").append(ctx.runAs()).append(" --regid=").append(ctx.runAs())
        .append(" --clear-groups -- \"$@\"\n");
    List<String> wrapped = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--",
        "/bin/sh", "-c", script.toString(), "sh"));
    wrapped.addAll(cmd);
    return wrapped;
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
