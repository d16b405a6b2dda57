package io.etcdpilot.sandbox.kubelet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pod on the sandbox node: its volumes as directories, its containers as local processes in a private
 * mount namespace (hosts file over /etc/hosts, volumes at their mount paths), probes, restarts with
 * back-off, and graceful termination.
 */
final class PodRunner {
  private static final Logger log = LoggerFactory.getLogger(PodRunner.class);
  private static final Pattern VAR_REF = Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");

  private final Kubelet kubelet;
  final String namespace;
  final String name;
  final String ip;
  final String uid;
  /** The user the pod's processes run as; its loopback traffic leaves from {@link #ip}. */
  private final int runAs;
  final ObjectNode pod;
  private final java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
  private final Path podDir;
  private final Map<String, Path> volumeDirs = new LinkedHashMap<>();
  private final Map<String, ContainerState> containers = new LinkedHashMap<>();
  private volatile boolean terminating;
  /** Held while a process is spawned and while termination begins: nothing is spawned once terminating is set. */
  private final Object spawning = new Object();
  private final Instant startTime = Instant.now();
  private ObjectNode lastStatus;

  /** What the kubelet tracks of one main container. */
  static final class ContainerState {
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
    ScheduledFuture<?> probes;

    ContainerState(JsonNode spec) {
      this.spec = spec;
    }
  }

  PodRunner(Kubelet kubelet, ObjectNode pod, String ip, int runAs) {
    this.runAs = runAs;
    this.kubelet = kubelet;
    this.pod = pod;
    this.namespace = pod.path("metadata").path("namespace").asText();
    this.name = pod.path("metadata").path("name").asText();
    this.ip = ip;
    this.uid = pod.path("metadata").path("uid").asText();
    this.podDir = kubelet.dir().resolve("pods").resolve(namespace).resolve(name);
  }

  /** True the first time: the pod is being deleted. */
  boolean stopped() {
    return terminating;
  }

  boolean markStopping() {
    return stopping.compareAndSet(false, true);
  }

  Path podDir() {
    return podDir;
  }

  Map<String, Path> volumeDirs() {
    return volumeDirs;
  }

  void start() {
    try {
      Files.createDirectories(podDir);
      Files.writeString(Kubelet.podUserFile(kubelet.dir(), namespace, name), Integer.toString(runAs));
      awaitClaims();
      if (terminating) return;
      prepareVolumes();
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

  // ---- volumes ----

  /** A pod whose claim is not bound yet (or is being deleted) waits, as the kubelet's volume manager does. */
  private void awaitClaims() throws InterruptedException {
    for (JsonNode v : pod.path("spec").path("volumes")) {
      String claim = v.path("persistentVolumeClaim").path("claimName").asText("");
      while (!claim.isEmpty() && !terminating && kubelet.claimPath(namespace, claim).isEmpty()) {
        Thread.sleep(200);
      }
    }
  }

  private void prepareVolumes() throws IOException {
    for (JsonNode v : pod.path("spec").path("volumes")) {
      String vol = v.path("name").asText();
      Path dir;
      if (v.has("persistentVolumeClaim")) {
        String claim = v.path("persistentVolumeClaim").path("claimName").asText();
        dir = kubelet.claimPath(namespace, claim).orElseThrow(() -> new IOException("claim " + claim + " is not bound"));
      } else {
        dir = podDir.resolve("volumes").resolve(vol);
      }
      Files.createDirectories(dir);
      chown(dir);
      volumeDirs.put(vol, dir);
    }
    refreshProjectedVolumes(null, null);
  }

  /** Writes ConfigMap, Secret and projected volumes; with a kind and name, only volumes of that object. */
  void refreshProjectedVolumes(String kind, String objectName) {
    for (JsonNode v : pod.path("spec").path("volumes")) {
      if (v.has("projected")) {
        refreshProjected(v, kind, objectName);
        continue;
      }
      String source = v.has("configMap") ? "ConfigMap" : v.has("secret") ? "Secret" : null;
      if (source == null) continue;
      JsonNode ref = source.equals("ConfigMap") ? v.path("configMap") : v.path("secret");
      String refName = source.equals("ConfigMap") ? ref.path("name").asText() : ref.path("secretName").asText();
      if (kind != null && (!kind.equals(source) || !refName.equals(objectName))) continue;
      Optional<ObjectNode> obj = kubelet.lookup(source, namespace, refName);
      Path dir = volumeDirs.get(v.path("name").asText());
      if (dir == null) continue;
      try {
        Map<String, byte[]> files = new LinkedHashMap<>();
        obj.ifPresent(o -> {
          o.path("data").fields().forEachRemaining(e -> files.put(e.getKey(), source.equals("Secret")
              ? Base64.getDecoder().decode(e.getValue().asText()) : e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
          o.path("stringData").fields().forEachRemaining(e -> files.put(e.getKey(), e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
        });
        Map<String, String> paths = new LinkedHashMap<>();
        if (ref.has("items")) {
          for (JsonNode item : ref.path("items")) paths.put(item.path("key").asText(), item.path("path").asText());
        } else {
          files.keySet().forEach(k -> paths.put(k, k));
        }
        writeAtomically(dir, paths, files);
        chown(dir);
      } catch (IOException e) {
        log.warn("pod {}/{}: cannot write volume {}: {}", namespace, name, v.path("name").asText(), e.getMessage());
      }
    }
  }

  /** Bound ServiceAccount tokens by volume and path: requested once per pod, kept across refreshes. */
  private final Map<String, byte[]> tokens = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * A projected volume (what the ServiceAccount admission plugin adds as {@code kube-api-access-*}): a bound token,
   * ConfigMap and Secret keys, downward API fields, in one directory.
   */
  private void refreshProjected(JsonNode v, String kind, String objectName) {
    JsonNode sources = v.path("projected").path("sources");
    if (kind != null) {
      boolean uses = false;
      for (JsonNode src : sources) {
        JsonNode ref = src.path(kind.equals("ConfigMap") ? "configMap" : "secret");
        uses |= ref.path("name").asText("").equals(objectName);
      }
      if (!uses) return;
    }
    Path dir = volumeDirs.get(v.path("name").asText());
    if (dir == null) return;
    try {
      Map<String, byte[]> files = new LinkedHashMap<>();
      for (JsonNode src : sources) {
        if (src.has("serviceAccountToken")) {
          JsonNode t = src.path("serviceAccountToken");
          String path = t.path("path").asText("token");
          byte[] token = tokens.computeIfAbsent(v.path("name").asText() + "/" + path, k -> kubelet.serviceAccountToken(this,
              pod.path("spec").path("serviceAccountName").asText("default"), t.path("expirationSeconds").asLong(3600),
              t.path("audience").asText("")).getBytes(StandardCharsets.UTF_8));
          files.put(path, token);
        } else if (src.has("configMap") || src.has("secret")) {
          boolean secret = src.has("secret");
          JsonNode ref = src.path(secret ? "secret" : "configMap");
          Optional<ObjectNode> obj = kubelet.lookup(secret ? "Secret" : "ConfigMap", namespace, ref.path("name").asText());
          if (obj.isEmpty()) continue; // written once the object exists (the informer's event refreshes it)
          JsonNode data = obj.get().path("data");
          List<String[]> items = new ArrayList<>();
          if (ref.has("items")) ref.path("items").forEach(i -> items.add(new String[] {i.path("key").asText(), i.path("path").asText()}));
          else data.fieldNames().forEachRemaining(k -> items.add(new String[] {k, k}));
          for (String[] item : items) {
            JsonNode value = data.path(item[0]);
            if (value.isMissingNode()) continue;
            files.put(item[1], secret ? Base64.getDecoder().decode(value.asText()) : value.asText().getBytes(StandardCharsets.UTF_8));
          }
        } else if (src.has("downwardAPI")) {
          for (JsonNode item : src.path("downwardAPI").path("items")) {
            String field = item.path("fieldRef").path("fieldPath").asText();
            files.put(item.path("path").asText(), fieldValue(field).getBytes(StandardCharsets.UTF_8));
          }
        }
      }
      Map<String, String> paths = new LinkedHashMap<>();
      files.keySet().forEach(k -> paths.put(k, k));
      writeAtomically(dir, paths, files);
      chown(dir);
    } catch (IOException | RuntimeException e) {
      log.warn("pod {}/{}: cannot write projected volume {}: {}", namespace, name, v.path("name").asText(), e.getMessage());
    }
  }

  /** Hands a volume to the pod's user (the kubelet's fsGroup handling, simplified). */
  private void chown(Path dir) throws IOException {
    try {
      Process p = new ProcessBuilder("chown", "-R", runAs + ":" + runAs, dir.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) throw new IOException("chown " + dir + ": " + out.trim());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /**
   * Like the kubelet: the files go into a fresh directory, and a "..data" symlink is swapped to it in one
   * rename, so a reader (etcd re-reading its certificate and key) never sees a mix of old and new files.
   */
  private static void writeAtomically(Path dir, Map<String, String> paths, Map<String, byte[]> files) throws IOException {
    Path fresh = dir.resolve("..data-" + System.nanoTime());
    Files.createDirectories(fresh);
    for (Map.Entry<String, String> p : paths.entrySet()) {
      byte[] content = files.get(p.getKey());
      if (content == null) continue;
      Path target = fresh.resolve(p.getValue());
      Files.createDirectories(target.getParent());
      Files.write(target, content);
    }
    Path link = dir.resolve("..data");
    Path previous = Files.isSymbolicLink(link) ? dir.resolve(Files.readSymbolicLink(link)) : null;
    Path tmpLink = dir.resolve("..data_tmp");
    Files.deleteIfExists(tmpLink);
    Files.createSymbolicLink(tmpLink, fresh.getFileName());
    Files.move(tmpLink, link, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    for (String name : paths.values()) {
      String top = Path.of(name).getName(0).toString();
      Path entry = dir.resolve(top);
      if (!Files.isSymbolicLink(entry)) {
        Files.deleteIfExists(entry);
        Files.createSymbolicLink(entry, Path.of("..data").resolve(top));
      }
    }
    if (previous != null && !previous.equals(fresh)) {
      io.etcdpilot.sandbox.FileTrees.delete(previous);
    }
  }

  // ---- containers ----

  private Map<String, String> environment(JsonNode c) {
    Map<String, String> env = new LinkedHashMap<>(kubelet.apiServerEnvironment());
    for (JsonNode from : c.path("envFrom")) {
      String kind = from.has("configMapRef") ? "ConfigMap" : "Secret";
      JsonNode ref = from.has("configMapRef") ? from.path("configMapRef") : from.path("secretRef");
      kubelet.lookup(kind, namespace, ref.path("name").asText()).ifPresent(o -> o.path("data").fields().forEachRemaining(e ->
          env.put(from.path("prefix").asText("") + e.getKey(), kind.equals("Secret")
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
        value = fieldValue(from.path("fieldRef").path("fieldPath").asText());
      } else if (from.has("configMapKeyRef") || from.has("secretKeyRef")) {
        boolean secret = from.has("secretKeyRef");
        JsonNode ref = secret ? from.path("secretKeyRef") : from.path("configMapKeyRef");
        Optional<ObjectNode> obj = kubelet.lookup(secret ? "Secret" : "ConfigMap", namespace, ref.path("name").asText());
        JsonNode v = obj.map(o -> o.path("data").path(ref.path("key").asText())).orElse(null);
        if (v == null || v.isMissingNode()) {
          if (ref.path("optional").asBoolean(false)) continue;
          throw new IllegalStateException("couldn't find key " + ref.path("key").asText() + " in "
              + (secret ? "Secret" : "ConfigMap") + " " + namespace + "/" + ref.path("name").asText());
        }
        value = secret ? new String(Base64.getDecoder().decode(v.asText()), StandardCharsets.UTF_8) : v.asText();
      }
      if (value != null) env.put(key, value);
    }
    return env;
  }

  /** A downward API field. */
  private String fieldValue(String fieldPath) {
    return switch (fieldPath) {
      case "metadata.name" -> name;
      case "metadata.namespace" -> namespace;
      case "metadata.uid" -> pod.path("metadata").path("uid").asText();
      case "status.podIP" -> ip;
      case "status.hostIP" -> "127.0.0.1";
      case "spec.nodeName" -> pod.path("spec").path("nodeName").asText();
      case "spec.serviceAccountName" -> pod.path("spec").path("serviceAccountName").asText("default");
      default -> "";
    };
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

  private List<String> commandLine(JsonNode c, Map<String, String> env) {
    String image = c.path("image").asText();
    if (Files.exists(Kubelet.pullFailsMarker(kubelet.dir(), namespace, name))) {
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

  /** The operator's own image (the chart's, or any repository of that name): it runs the operator's jar. */
  static boolean isOperatorImage(String image) {
    return image.contains("etcdpilot-operator");
  }

  /**
   * The operator's image: its java runs the operator's jar, as the chart's Deployment (the image's entry point, read
   * from the Dockerfile that builds it) and the restore steps of a cluster created from a snapshot (their command).
   */
  private List<String> operatorImage(JsonNode c, Map<String, String> env, String image) {
    List<String> cmd = new ArrayList<>();
    c.path("command").forEach(n -> cmd.add(expand(n.asText(), env)));
    if (cmd.isEmpty()) cmd.addAll(kubelet.operatorEntrypoint());
    c.path("args").forEach(n -> cmd.add(expand(n.asText(), env)));
    if (cmd.isEmpty() || !cmd.get(0).equals("java")) {
      throw new ImageUnavailable("image " + image + " runs java in the sandbox, not " + (cmd.isEmpty() ? "nothing" : cmd.get(0)));
    }
    try {
      String jar = kubelet.agentJar().toString();
      cmd.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.replaceAll(a -> a.equals(io.etcdpilot.operator.model.RestoreSteps.AGENT_JAR) ? jar : a);
      return cmd;
    } catch (IOException e) {
      throw new ImageUnavailable("image " + image + ": " + e.getMessage());
    }
  }

  /** Thrown when an image maps to no local binary: the pod waits as it would on a failed pull. */
  static final class ImageUnavailable extends RuntimeException {
    ImageUnavailable(String message) {
      super(message);
    }
  }

  /** Wraps a command so it runs in its own mount namespace with the pod's hosts file and volumes. */
  private List<String> inPodNamespace(JsonNode c, List<String> cmd) {
    StringBuilder script = new StringBuilder("set -e\n");
    script.append("mount --bind ").append(quote(kubelet.hosts().podPath().toString())).append(" /etc/hosts\n");
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
    script.append("exec setpriv --reuid=").append(runAs).append(" --regid=").append(runAs)
        .append(" --clear-groups -- \"$@\"\n");
    List<String> wrapped = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--",
        "/bin/sh", "-c", script.toString(), "sh"));
    wrapped.addAll(cmd);
    return wrapped;
  }

  /** Where this pod's volume sources are bound before they are mounted at their paths (empty outside the pod). */
  Path stagingDir() {
    return Path.of("/run/etcdpilot-sandbox", uid);
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private Process spawn(JsonNode c, String container) throws IOException {
    Map<String, String> env = environment(c);
    List<String> cmd = inPodNamespace(c, commandLine(c, env));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    pb.environment().put("HOSTNAME", name);
    pb.environment().putAll(env);
    Path logFile = kubelet.logFile(namespace, name, container);
    Files.createDirectories(logFile.getParent());
    ContainerState cs = containers.get(container);
    if (cs != null) cs.logOffset = Files.exists(logFile) ? Files.size(logFile) : 0;
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    return pb.start();
  }

  /** Init containers by name, in order, as their statuses report them. */
  private final Map<String, ContainerState> inits = new java.util.LinkedHashMap<>();

  private boolean runInit(JsonNode init) throws InterruptedException {
    String cname = init.path("name").asText();
    ContainerState cs = new ContainerState(init);
    synchronized (this) {
      inits.put(cname, cs);
    }
    while (!terminating) {
      try {
        Path logFile = kubelet.logFile(namespace, name, cname);
        cs.logOffset = Files.exists(logFile) ? Files.size(logFile) : 0;
        cs.startedAt = Instant.now();
        Process p;
        synchronized (spawning) {
          if (terminating) return false;
          p = spawn(init, cname);
          cs.process = p;
        }
        publishStatus();
        int code = p.waitFor();
        cs.lastExitCode = code;
        cs.lastStartedAt = cs.startedAt;
        cs.lastFinishedAt = Instant.now();
        cs.lastMessage = code != 0
            && "FallbackToLogsOnError".equals(init.path("terminationMessagePolicy").asText()) ? logTail(cs) : null;
        cs.process = null;
        if (code == 0) {
          cs.started = true; // completed
          publishStatus();
          return true;
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
  private ArrayNode initStatuses() {
    ArrayNode out = Kubelet.JSON.createArrayNode();
    for (Map.Entry<String, ContainerState> e : inits.entrySet()) {
      ContainerState cs = e.getValue();
      ObjectNode s = containerStatus(out, e.getKey(), cs);
      s.put("ready", cs.started);
      ObjectNode state = s.putObject("state");
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

  private void launch(ContainerState cs) {
    if (terminating) return;
    String cname = cs.spec.path("name").asText();
    String image = cs.spec.path("image").asText();
    try {
      cs.placeholder = !isOperatorImage(image) && EtcdBinaries.versionOfImage(image).isEmpty();
      synchronized (spawning) {
        if (terminating) return;
        cs.process = spawn(cs.spec, cname);
      }
      if (cs.restarts == 0) {
        event("Normal", "Pulled", cs.placeholder
            ? "Image \"" + image + "\" has no program on this machine: running a placeholder process"
            : "Container image \"" + image + "\" already present on machine", cname);
      }
      event("Normal", "Created", "Created container: " + cname, cname);
      event("Normal", "Started", "Started container " + cname, cname);
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
      kubelet.recordPid(this, cname, cs.process.pid());
      log.info("pod {}/{}: started {} (pid {})", namespace, name, cname, cs.process.pid());
      publishStatus();
      scheduleProbes(cs);
      Process mine = cs.process;
      mine.onExit().thenAccept(p -> onExit(cs, mine));
    } catch (ImageUnavailable e) {
      boolean first = cs.restarts == 0 && cs.waitingReason == null;
      cs.waitingReason = first ? "ErrImagePull" : "ImagePullBackOff";
      cs.waitingMessage = e.getMessage();
      if (first) event("Warning", "Failed", "Failed to pull image \"" + image + "\": " + e.getMessage(), cname);
      else event("Normal", "BackOff", "Back-off pulling image \"" + image + "\"", cname);
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
    kubelet.scheduler().schedule(() -> launch(cs), delay, TimeUnit.MILLISECONDS);
  }

  private void onExit(ContainerState cs, Process exited) {
    if (cs.process != exited) return;
    if (cs.probes != null) cs.probes.cancel(false);
    cs.ready = false;
    cs.lastExitCode = exited.exitValue();
    cs.lastStartedAt = cs.startedAt;
    cs.lastFinishedAt = Instant.now();
    cs.lastMessage = cs.lastExitCode != 0
        && "FallbackToLogsOnError".equals(cs.spec.path("terminationMessagePolicy").asText()) ? logTail(cs) : null;
    if (terminating) return;
    log.info("pod {}/{}: container {} exited with {}", namespace, name, cs.spec.path("name").asText(), cs.lastExitCode);
    boolean ranLong = cs.startedAt != null && cs.startedAt.isBefore(Instant.now().minusSeconds(10));
    if (ranLong) cs.backoffMillis = 1000;
    String policy = pod.path("spec").path("restartPolicy").asText("Always");
    if (policy.equals("Never") || (policy.equals("OnFailure") && cs.lastExitCode == 0)) {
      publishStatus();
      return;
    }
    cs.restarts++;
    event("Warning", "BackOff", "Back-off restarting failed container " + cs.spec.path("name").asText(), cs.spec.path("name").asText());
    cs.waitingReason = "CrashLoopBackOff";
    cs.waitingMessage = "back-off " + cs.backoffMillis / 1000 + "s restarting failed container";
    publishStatus();
    retryLater(cs);
  }

  /**
   * What the kubelet reports for terminationMessagePolicy FallbackToLogsOnError: the end of the failed
   * container's own output, at most 80 lines and 2048 bytes.
   */
  private String logTail(ContainerState cs) {
    Path logFile = kubelet.logFile(namespace, name, cs.spec.path("name").asText());
    try (var in = Files.newInputStream(logFile)) {
      in.skipNBytes(Math.min(cs.logOffset, Files.size(logFile)));
      String out = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      List<String> lines = List.of(out.split("\n"));
      String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
      return tail.length() > 2048 ? tail.substring(tail.length() - 2048) : tail;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  // ---- probes ----

  private void scheduleProbes(ContainerState cs) {
    JsonNode readiness = cs.spec.path("readinessProbe");
    JsonNode liveness = cs.spec.path("livenessProbe");
    JsonNode startup = cs.spec.path("startupProbe");
    if (readiness.isMissingNode() || cs.placeholder) {
      cs.ready = true;
      publishStatus();
    }
    long period = 1000;
    Instant started = cs.startedAt;
    cs.probes = kubelet.scheduler().scheduleWithFixedDelay(() -> {
      if (terminating || cs.process == null || !cs.process.isAlive()) return;
      long age = Instant.now().toEpochMilli() - started.toEpochMilli();
      if (cs.placeholder) return;
      if (!cs.startupSucceeded) {
        if (due(startup, age, cs, "s")) {
          if (probe(startup, cs)) {
            cs.startupSucceeded = true;
          } else if (++cs.startupFailures >= startup.path("failureThreshold").asInt(3)) {
            log.info("pod {}/{}: startup probe failed, restarting {}", namespace, name, cs.spec.path("name").asText());
            event("Warning", "Unhealthy", "Startup probe failed", cs.spec.path("name").asText());
            cs.startupFailures = 0;
            kill(cs.process, 2);
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
            publishStatus();
          }
        } else {
          cs.readinessSuccesses = 0;
          if (++cs.readinessFailures >= readiness.path("failureThreshold").asInt(3) && cs.ready) {
            cs.ready = false;
            publishStatus();
          }
        }
      }
      if (!liveness.isMissingNode() && due(liveness, age, cs, "l")) {
        if (probe(liveness, cs)) {
          cs.livenessFailures = 0;
        } else if (++cs.livenessFailures >= liveness.path("failureThreshold").asInt(3)) {
          log.info("pod {}/{}: liveness probe failed, restarting {}", namespace, name, cs.spec.path("name").asText());
          event("Warning", "Unhealthy", "Liveness probe failed", cs.spec.path("name").asText());
          cs.livenessFailures = 0;
          kill(cs.process, 2);
        }
      }
    }, period, period, TimeUnit.MILLISECONDS);
  }

  private final Map<String, Long> lastProbe = new java.util.concurrent.ConcurrentHashMap<>();

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
        String host = h.path("host").asText(ip);
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
          s.connect(new InetSocketAddress(probe.path("tcpSocket").path("host").asText(ip), port(probe.path("tcpSocket").path("port"), cs)), timeout);
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

  // ---- termination ----

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
    for (ContainerState cs : all) {
      if (cs.probes != null) cs.probes.cancel(false);
      cs.ready = false;
    }
    for (ContainerState cs : all) {
      Process p = cs.process;
      if (p != null) kill(p, graceSeconds);
    }
    // Only empty mount points are left of it on the host (the binds lived in the pod's own namespace). Never a
    // recursive delete: were a bind ever visible here, it would reach into the volume's data.
    try (var points = Files.isDirectory(stagingDir()) ? Files.list(stagingDir()) : java.util.stream.Stream.<Path>empty()) {
      for (Path p : points.toList()) Files.deleteIfExists(p);
      Files.deleteIfExists(stagingDir());
    } catch (IOException | RuntimeException e) {
      log.debug("pod {}/{}: staging directory left: {}", namespace, name, e.toString());
    }
  }

  private static void kill(Process p, long graceSeconds) {
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

  boolean ready() {
    return !terminating && !containers.isEmpty() && containers.values().stream().allMatch(c -> c.ready);
  }

  // ---- status ----

  synchronized void publishStatus() {
    if (terminating) return;
    ObjectNode status = Kubelet.JSON.createObjectNode();
    boolean allRunning = !containers.isEmpty();
    boolean allReady = !containers.isEmpty();
    ArrayNode statuses = Kubelet.JSON.createArrayNode();
    for (Map.Entry<String, ContainerState> e : containers.entrySet()) {
      ContainerState cs = e.getValue();
      ObjectNode s = containerStatus(statuses, e.getKey(), cs);
      s.put("ready", cs.ready);
      boolean running = cs.process != null && cs.process.isAlive() && cs.waitingReason == null;
      s.put("started", running);
      ObjectNode state = s.putObject("state");
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
    status.put("phase", allRunning ? "Running" : "Pending");
    ArrayNode conditions = status.putArray("conditions");
    condition(conditions, "PodScheduled", true);
    condition(conditions, "Initialized", true);
    condition(conditions, "ContainersReady", allReady);
    condition(conditions, "Ready", allReady);
    status.put("hostIP", "127.0.0.1");
    status.putArray("hostIPs").addObject().put("ip", "127.0.0.1");
    status.put("podIP", ip);
    status.putArray("podIPs").addObject().put("ip", ip);
    status.put("startTime", ts(startTime));
    status.set("containerStatuses", statuses);
    if (!inits.isEmpty()) status.set("initContainerStatuses", initStatuses());
    if (lastStatus != null && sameIgnoringTimes(lastStatus, status)) return;
    lastStatus = status;
    kubelet.writePodStatus(this, status);
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

  private static String ts(Instant i) {
    return i.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private void event(String type, String reason, String message, String container) {
    kubelet.events().record(namespace, name, uid, pod.path("spec").path("nodeName").asText(), type, reason, message, container);
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
