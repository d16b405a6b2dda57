package io.etcdpilot.sandbox.kubelet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcdpilot.sandbox.storage.HostPathProvisioner;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet of the sandbox's nodes: runs the pods the real scheduler binds to them as local processes (see
 * {@link PodRunner}), reports their status through the API, gives each an address and DNS names in the shared
 * hosts file, keeps ConfigMap and Secret volumes in sync, and finishes a pod's deletion once its processes are gone.
 * The only homemade part of the sandbox's Kubernetes; it reads the API through informers like a real kubelet.
 */
public final class Kubelet implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Kubelet.class);
  static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final Path dir;
  private final HostsFile hosts;
  private final EtcdBinaries binaries;
  private final String clusterDomain;
  private final Set<String> nodes;
  private final HostPathProvisioner volumes;
  private final PodEvents events;
  private final Map<String, PodRunner> runners = new ConcurrentHashMap<>();
  /** Runners started and not yet stopped (a runner leaves {@link #runners} before its stop has run). */
  private final java.util.Set<PodRunner> unstopped = ConcurrentHashMap.newKeySet();
  private boolean closed;
  private final Map<String, Integer> podIndex = new ConcurrentHashMap<>();
  /** Pods (by uid) whose deletion the kubelet has finished. */
  private final Set<String> finished = ConcurrentHashMap.newKeySet();
  private final AtomicInteger nextIndex = new AtomicInteger(8);
  private final PodNetwork network;
  private final ExecutorService sync = Executors.newSingleThreadExecutor(daemon("kubelet-sync"));
  private final ExecutorService workers = Executors.newCachedThreadPool(daemon("kubelet-pod"));
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(4, daemon("kubelet-probes"));
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private SharedIndexInformer<ConfigMap> configMaps;
  private SharedIndexInformer<Secret> secrets;
  private SharedIndexInformer<Service> services;
  private SharedIndexInformer<Pod> pods;

  public Kubelet(KubernetesClient client, Path dir, HostsFile hosts, EtcdBinaries binaries, String clusterDomain,
      PodNetwork network, List<String> nodes, HostPathProvisioner volumes) {
    this.client = client;
    this.network = network;
    this.dir = dir;
    this.hosts = hosts;
    this.binaries = binaries;
    this.clusterDomain = clusterDomain;
    this.nodes = Set.copyOf(nodes);
    this.volumes = volumes;
    this.events = new PodEvents(client);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  public void start() {
    if (!"root".equals(System.getProperty("user.name"))) {
      log.warn("the sandbox kubelet needs root for private mount namespaces (unshare --mount); pods will fail to start");
    }
    network.start();
    configMaps = watch(client.configMaps().inAnyNamespace().runnableInformer(60_000), o -> refreshVolumes("ConfigMap", o));
    secrets = watch(client.secrets().inAnyNamespace().runnableInformer(60_000), o -> refreshVolumes("Secret", o));
    services = watch(client.services().inAnyNamespace().runnableInformer(60_000), o -> refreshServiceNames());
    pods = watch(client.pods().inAnyNamespace().runnableInformer(60_000), this::onPod);
    for (SharedIndexInformer<?> i : informers) i.run();
  }

  private <T extends HasMetadata> SharedIndexInformer<T> watch(SharedIndexInformer<T> informer, java.util.function.Consumer<T> action) {
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override public void onAdd(T o) { queue(action, o); }
      @Override public void onUpdate(T old, T o) { queue(action, o); }
      @Override public void onDelete(T o, boolean unknown) { queue(action, o); }
    });
    informers.add(informer);
    return informer;
  }

  private <T extends HasMetadata> void queue(java.util.function.Consumer<T> action, T o) {
    long queued = System.nanoTime();
    sync.execute(() -> {
      long start = System.nanoTime();
      try {
        action.accept(o);
      } catch (RuntimeException e) {
        log.warn("kubelet event handling failed", e);
      }
      long waited = (start - queued) / 1_000_000, took = (System.nanoTime() - start) / 1_000_000;
      if (waited > 1000 || took > 1000) {
        log.warn("kubelet: {} {}/{} waited {} ms, took {} ms", o.getKind(), o.getMetadata().getNamespace(),
            o.getMetadata().getName(), waited, took);
      }
    });
  }

  Path dir() { return dir; }

  private Path agentJar;

  /**
   * The operator's image as the sandbox runs it: the operator's fat jar, copied where a pod's user can read it. The
   * same jar a real image carries at {@code /app/etcdpilot-operator.jar}.
   */
  synchronized Path agentJar() throws java.io.IOException {
    if (agentJar != null && java.nio.file.Files.exists(agentJar)) return agentJar;
    Path built = io.etcdpilot.sandbox.OperatorJar.built(binaries().repository());
    // Outside the sandbox directory: a pod's user cannot pass a checkout under a private (0700) directory, as in CI.
    // Not under /tmp either: the chart's pod mounts its own emptyDir there, hiding whatever the host keeps in it.
    Path stagingDir = java.nio.file.Files.createTempDirectory(Path.of("/var/tmp"), "etcdpilot-agent-");
    stagingDir.toFile().setReadable(true, false);
    stagingDir.toFile().setExecutable(true, false);
    Path staged = stagingDir.resolve("etcdpilot-operator.jar");
    java.nio.file.Files.copy(built, staged, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    staged.toFile().setReadable(true, false);
    stagingDir.toFile().deleteOnExit(); // deleted after the jar: the JVM deletes in reverse order
    staged.toFile().deleteOnExit();
    agentJar = staged;
    return staged;
  }
  HostsFile hosts() { return hosts; }

  /** The operator image's ENTRYPOINT, as operator/Dockerfile builds it (what a runtime reads from the image). */
  List<String> operatorEntrypoint() {
    Path dockerfile = binaries().repository().resolve("operator/Dockerfile");
    try {
      // Instructions as Docker reads them: a line ending in a backslash goes on in the next.
      String joined = Files.readString(dockerfile).replaceAll("\\\\\\s*\\n\\s*", " ");
      for (String line : joined.lines().toList()) {
        if (line.startsWith("ENTRYPOINT ")) {
          List<String> entry = new ArrayList<>();
          JSON.readTree(line.substring("ENTRYPOINT ".length())).forEach(n -> entry.add(n.asText()));
          return entry;
        }
      }
    } catch (IOException e) {
      throw new ContainerProcess.ImageUnavailable("cannot read " + dockerfile + ": " + e.getMessage());
    }
    throw new ContainerProcess.ImageUnavailable(dockerfile + " has no ENTRYPOINT in exec form");
  }

  /**
   * A ServiceAccount token bound to the pod, as the kubelet requests one for a projected {@code serviceAccountToken}
   * source (the API server ties its validity to the pod: deleting the pod revokes it).
   */
  String serviceAccountToken(PodContext pod, String serviceAccount, long expirationSeconds, String audience) {
    var spec = new io.fabric8.kubernetes.api.model.authentication.TokenRequestSpecBuilder()
        .withExpirationSeconds(expirationSeconds)
        .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod").withName(pod.name()).withUid(pod.uid()).endBoundObjectRef();
    if (audience != null && !audience.isEmpty()) spec.withAudiences(audience);
    return client.serviceAccounts().inNamespace(pod.namespace()).withName(serviceAccount)
        .tokenRequest(new io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder().withSpec(spec.build()).build())
        .getStatus().getToken();
  }

  /**
   * What every container finds in its environment to reach the API server in-cluster. A real kubelet gives the
   * {@code kubernetes} Service's ClusterIP; ClusterIPs are not routed here, so it is the API server's own address.
   */
  Map<String, String> apiServerEnvironment() {
    java.net.URI server = java.net.URI.create(client.getConfiguration().getMasterUrl());
    String port = Integer.toString(server.getPort() < 0 ? 443 : server.getPort());
    return Map.of("KUBERNETES_SERVICE_HOST", server.getHost(), "KUBERNETES_SERVICE_PORT", port,
        "KUBERNETES_SERVICE_PORT_HTTPS", port, "KUBERNETES_PORT", "tcp://" + server.getHost() + ":" + port);
  }
  EtcdBinaries binaries() { return binaries; }
  ScheduledExecutorService scheduler() { return scheduler; }
  PodEvents events() { return events; }

  /** Where a container's output is kept. */
  @FunctionalInterface
  public interface LogFiles {
    Path file(String namespace, String pod, String container);
  }

  public static LogFiles logFiles(Path sandboxDir) {
    return (namespace, pod, container) -> sandboxDir.resolve("logs").resolve(namespace + "_" + pod + "_" + container + ".log");
  }

  public Path logFile(String namespace, String pod, String container) {
    return logFiles(dir).file(namespace, pod, container);
  }

  /** Where a claim's data is, once it is bound; empty while it is pending or being deleted. */
  Optional<Path> claimPath(String namespace, String claim) {
    return volumes.path(namespace, claim);
  }

  /** While this file exists, image pulls for the pod fail (a fault that works before the pod exists). */
  /** Holds the uid a pod's processes run as (its network identity here), for faults aimed at that pod. */
  public static Path podUserFile(Path sandboxDir, String namespace, String pod) {
    return sandboxDir.resolve("pods").resolve(namespace).resolve(pod).resolve("user");
  }

  public static Path pullFailsMarker(Path sandboxDir, String namespace, String pod) {
    return sandboxDir.resolve("faults").resolve("pull-fails").resolve(namespace).resolve(pod);
  }

  private static String key(String ns, String name) {
    return ns + "/" + name;
  }

  private void refreshVolumes(String kind, HasMetadata o) {
    for (PodRunner r : runners.values()) {
      if (r.namespace.equals(o.getMetadata().getNamespace())) r.objectChanged(kind, o.getMetadata().getName());
    }
  }

  /**
   * How often a running pod's ConfigMap and Secret volumes catch up with the API server: a real kubelet's sync period
   * (one minute by default), so that what the operator writes reaches members late, as on a real node. Environment
   * ETCDPILOT_SANDBOX_VOLUME_SYNC (a duration such as 60s or 5s).
   */
  Duration volumeSyncPeriod() {
    return VOLUME_SYNC;
  }

  private static final Duration VOLUME_SYNC = io.etcdpilot.operator.model.Durations.parse(
      System.getenv().getOrDefault("ETCDPILOT_SANDBOX_VOLUME_SYNC", "60s"));

  /** Level-based, like the real kubelet: acts on the pod as the cache holds it now, whatever the event said. */
  private void onPod(Pod event) {
    String ns = event.getMetadata().getNamespace();
    String name = event.getMetadata().getName();
    String k = key(ns, name);
    Pod p = pods.getStore().getByKey(k);
    PodRunner running = runners.get(k);
    if (running != null && (p == null || !p.getMetadata().getUid().equals(running.uid))) {
      // Deleted (forcibly, or after we finished it), or replaced under the same name: stop what still runs for it.
      runners.remove(k, running);
      workers.execute(() -> stopRunner(running, 0));
    }
    if (p == null || p.getSpec().getNodeName() == null || !nodes.contains(p.getSpec().getNodeName())) return;
    String uid = p.getMetadata().getUid();
    PodRunner existing = runners.get(k);
    if (p.getMetadata().getDeletionTimestamp() != null) {
      if (existing != null && existing.markStopping()) {
        long grace = Optional.ofNullable(p.getMetadata().getDeletionGracePeriodSeconds()).orElse(30L);
        PodRunner r = existing;
        events.record(p, "Normal", "Killing", "Stopping container " + r.firstContainer(), null);
        workers.execute(() -> {
          stopRunner(r, grace);
          runners.remove(k, r);
          finishDeletion(ns, name, uid);
        });
      } else if (existing == null) {
        finishDeletion(ns, name, uid);
      }
      return;
    }
    String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
    if (existing == null && !"Succeeded".equals(phase) && !"Failed".equals(phase)) {
      // A pod keeps its address and uid across re-creation under the same name (stable DNS in the sandbox).
      int index = podIndex.computeIfAbsent(k, x -> nextIndex.getAndIncrement());
      String ip = network.ip(index);
      int runAs = network.uid(index);
      network.attach(runAs, ip);
      ObjectNode pod = JSON.valueToTree(p);
      registerNames(pod, ip);
      PodRunner runner = new PodRunner(this, pod, ip, runAs);
      synchronized (unstopped) {
        if (closed) return;
        unstopped.add(runner);
      }
      runners.put(k, runner);
      workers.execute(runner::start);
    }
  }

  /**
   * The kubelet's last word on a pod: delete it for good, once, and only if it is still the pod we ran (a UID
   * precondition, as the real kubelet sends: by the time this runs, the StatefulSet controller may have created its
   * successor under the same name, and a plain delete by name would take that one down too).
   */
  private void finishDeletion(String ns, String name, String uid) {
    if (!finished.add(uid)) return;
    Pod pod = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withNamespace(ns).withName(name)
        .withUid(uid).endMetadata().build();
    try {
      // GONE or REPLACED: nothing of ours is left under that name.
      io.etcdpilot.operator.cluster.PodDeletion.deleteIfSame(client, pod, 0L);
    } catch (KubernetesClientException e) {
      finished.remove(uid);
      log.warn("cannot finish deleting pod {}/{}: {}", ns, name, e.getMessage());
    }
  }

  private void stopRunner(PodRunner r, long grace) {
    r.terminate(grace);
    unstopped.remove(r);
    refreshServiceNames();
    log.info("pod {}/{} stopped", r.namespace, r.name);
  }

  private void registerNames(JsonNode pod, String ip) {
    String ns = pod.path("metadata").path("namespace").asText();
    String name = pod.path("metadata").path("name").asText();
    String host = pod.path("spec").path("hostname").asText(name);
    String sub = pod.path("spec").path("subdomain").asText("");
    List<String> names = new ArrayList<>();
    if (!sub.isEmpty()) {
      String base = host + "." + sub + "." + ns;
      names.add(base + ".svc." + clusterDomain);
      names.add(base + ".svc");
      names.add(base);
      names.add(host + "." + sub);
    }
    names.add(ip.replace('.', '-') + "." + ns + ".pod." + clusterDomain);
    hosts.put("pod/" + key(ns, name), ip, names);
  }

  /**
   * Service names resolve to one ready pod the Service selects (the sandbox has no kube-proxy and no virtual IPs;
   * headless Services resolve through their pods' own names).
   */
  private void refreshServiceNames() {
    if (services == null) return;
    for (Service svc : services.getStore().list()) {
      String ns = svc.getMetadata().getNamespace();
      String name = svc.getMetadata().getName();
      Map<String, String> selector = svc.getSpec().getSelector();
      if ("None".equals(svc.getSpec().getClusterIP()) || selector == null || selector.isEmpty()) continue;
      String ip = null;
      for (PodRunner r : runners.values()) {
        if (r.namespace.equals(ns) && r.ready() && r.labels().entrySet().containsAll(selector.entrySet())) {
          ip = r.ip;
          break;
        }
      }
      String base = name + "." + ns;
      hosts.put("svc/" + key(ns, name), ip == null ? "" : ip,
          ip == null ? List.of() : List.of(base + ".svc." + clusterDomain, base + ".svc", base));
    }
  }

  /** A ConfigMap or Secret from the kubelet's caches, as JSON. */
  Optional<ObjectNode> lookup(String kind, String ns, String name) {
    SharedIndexInformer<? extends HasMetadata> informer = kind.equals("Secret") ? secrets : configMaps;
    HasMetadata o = informer.getStore().getByKey(key(ns, name));
    return Optional.ofNullable(o).map(x -> (ObjectNode) JSON.valueToTree(x));
  }

  /** Writes a pod's status (a merge patch of the whole status, guarded by the pod's uid like the real kubelet's). */
  void writePodStatus(PodContext r, ObjectNode status) {
    ObjectNode patch = JSON.createObjectNode();
    patch.putObject("metadata").put("uid", r.uid());
    patch.set("status", status);
    try {
      client.pods().inNamespace(r.namespace()).withName(r.name()).subresource("status")
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404 && e.getCode() != 409) log.warn("pod {}/{}: status write failed: {}", r.namespace(), r.name(), e.getMessage());
    }
    sync.execute(this::refreshServiceNames);
  }

  void recordPid(PodContext r, String container, long pid) {
    try {
      Files.createDirectories(r.podDir());
      Files.writeString(r.podDir().resolve(container + ".pid"), Long.toString(pid));
      DiskDelay.attach(r.podDir(), pid); // a slow disk stays slow across restarts
    } catch (IOException e) {
      log.warn("cannot record pid: {}", e.getMessage());
    }
  }

  /** The running main process of a pod's container (first container when null). */
  public Optional<Long> pid(String namespace, String pod, String container) {
    PodRunner r = runners.get(key(namespace, pod));
    return r == null ? Optional.empty() : r.pid(container);
  }

  @Override
  public void close() {
    // Every runner not yet stopped, including those a queued stop never reached and those an in-flight pod event
    // created meanwhile: no process may outlive the sandbox (it would hold its pod's address for the next one).
    List<PodRunner> all;
    synchronized (unstopped) {
      closed = true;
      all = new ArrayList<>(unstopped);
    }
    informers.forEach(SharedIndexInformer::close);
    runners.clear();
    // All at once (SIGTERM to every pod, then their grace periods run side by side), not two at a time.
    var stopping = java.util.concurrent.Executors.newCachedThreadPool();
    all.forEach(r -> stopping.execute(() -> r.terminate(5)));
    stopping.shutdown();
    try {
      stopping.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sync.shutdownNow();
    workers.shutdownNow();
    scheduler.shutdownNow();
    network.close();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
