package io.etcdpilot.sandbox.kubelet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcdpilot.sandbox.apiserver.ApiException;
import io.etcdpilot.sandbox.apiserver.ObjectStore;
import io.etcdpilot.sandbox.apiserver.ResourceType;
import io.etcdpilot.sandbox.apiserver.Selectors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's single node: runs every pod the store holds as local processes, gives each a loopback IP
 * and DNS names in the shared hosts file, keeps ConfigMap/Secret volumes in sync, and completes graceful
 * pod deletion once the processes are gone.
 */
public final class Kubelet implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Kubelet.class);

  private final ObjectStore store;
  private final Path dir;
  private final HostsFile hosts;
  private final EtcdBinaries binaries;
  private final String clusterDomain;
  private final ResourceType pods;
  private final ResourceType services;
  private final ResourceType claims;
  private final Map<String, PodRunner> runners = new ConcurrentHashMap<>();
  private final Map<String, Integer> podIndex = new ConcurrentHashMap<>();
  private final AtomicInteger nextIndex = new AtomicInteger(8);
  private final PodNetwork network;
  private final ExecutorService events = Executors.newSingleThreadExecutor(daemon("kubelet-events"));
  private final ExecutorService workers = Executors.newCachedThreadPool(daemon("kubelet-pod"));
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(4, daemon("kubelet-probes"));
  private final ObjectStore.Listener listener = e -> events.execute(() -> onEvent(e));

  public Kubelet(ObjectStore store, Path dir, HostsFile hosts, EtcdBinaries binaries, String clusterDomain,
      PodNetwork network) {
    this.network = network;
    this.store = store;
    this.dir = dir;
    this.hosts = hosts;
    this.binaries = binaries;
    this.clusterDomain = clusterDomain;
    this.pods = store.registry().find("", "v1", "pods").orElseThrow();
    this.services = store.registry().find("", "v1", "services").orElseThrow();
    this.claims = store.registry().find("", "v1", "persistentvolumeclaims").orElseThrow();
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
    store.subscribe(0, listener);
  }

  Path dir() { return dir; }
  HostsFile hosts() { return hosts; }
  EtcdBinaries binaries() { return binaries; }
  ScheduledExecutorService scheduler() { return scheduler; }

  public Path logFile(String namespace, String pod, String container) {
    return dir.resolve("logs").resolve(namespace + "_" + pod + "_" + container + ".log");
  }

  /** Where the data of a PersistentVolumeClaim lives on this machine. */
  public static Path claimDir(Path sandboxDir, String namespace, String claim) {
    return sandboxDir.resolve("volumes").resolve(namespace).resolve(claim);
  }

  /**
   * The pvc-protection controller and the volume provisioner in one: a claim being deleted keeps its
   * finalizer while a running pod uses it; once released, the claim goes and its volume is deleted with it
   * (reclaim policy Delete), so a claim created again under the same name starts empty.
   */
  private synchronized void releaseClaim(String namespace, String claim) {
    for (PodRunner r : runners.values()) {
      if (!r.namespace.equals(namespace) || r.stopped()) continue;
      for (JsonNode v : r.pod.path("spec").path("volumes")) {
        if (claim.equals(v.path("persistentVolumeClaim").path("claimName").asText())) return;
      }
    }
    ObjectNode pvc = store.get(claims, namespace, claim);
    if (pvc != null) {
      if (!pvc.path("metadata").has("deletionTimestamp")) return;
      try {
        store.update(claims, namespace, claim, o -> {
          ((ObjectNode) o.path("metadata")).remove("finalizers");
          ((ObjectNode) o.path("metadata")).remove("resourceVersion");
          return o;
        }, ObjectStore.Subresource.NONE);
      } catch (ApiException gone) {
        // deleted meanwhile
      }
    }
    Path volume = claimDir(dir, namespace, claim);
    if (!Files.exists(volume)) return;
    try {
      io.etcdpilot.sandbox.FileTrees.delete(volume);
      log.info("volume of claim {}/{} deleted with its claim", namespace, claim);
    } catch (IOException ex) {
      log.warn("could not delete the volume of claim {}/{}: {}", namespace, claim, ex.toString());
    }
  }

  /** A claim the pod can mount: present and not being deleted (otherwise the pod stays pending). */
  boolean claimUsable(String namespace, String claim) {
    ObjectNode pvc = store.get(claims, namespace, claim);
    return pvc != null && !pvc.path("metadata").has("deletionTimestamp");
  }

  /** While this file exists, image pulls for the pod fail (a fault that works before the pod exists). */
  public static Path pullFailsMarker(Path sandboxDir, String namespace, String pod) {
    return sandboxDir.resolve("faults").resolve("pull-fails").resolve(namespace).resolve(pod);
  }

  private static String key(String ns, String name) {
    return ns + "/" + name;
  }

  private void onEvent(ObjectStore.WatchEvent e) {
    try {
      switch (e.resource().kind()) {
        case "Pod" -> onPod(e);
        case "ConfigMap", "Secret" -> {
          String ns = e.object().path("metadata").path("namespace").asText();
          String name = e.object().path("metadata").path("name").asText();
          for (PodRunner r : runners.values()) {
            if (r.namespace.equals(ns)) r.refreshProjectedVolumes(e.resource().kind(), name);
          }
        }
        case "Service" -> refreshServiceNames();
        case "PersistentVolumeClaim" -> {
          if (e.type().equals("DELETED") || e.object().path("metadata").has("deletionTimestamp")) {
            releaseClaim(e.object().path("metadata").path("namespace").asText(),
                e.object().path("metadata").path("name").asText());
          }
        }
        default -> { }
      }
    } catch (RuntimeException ex) {
      log.warn("kubelet event handling failed", ex);
    }
  }

  private void onPod(ObjectStore.WatchEvent e) {
    ObjectNode pod = e.object();
    String ns = pod.path("metadata").path("namespace").asText();
    String name = pod.path("metadata").path("name").asText();
    String k = key(ns, name);
    String uid = pod.path("metadata").path("uid").asText();
    PodRunner existing = runners.get(k);
    if (e.type().equals("DELETED")) {
      if (existing != null && existing.uid.equals(uid)) {
        runners.remove(k);
        workers.execute(() -> stopRunner(existing, 0));
      }
      return;
    }
    if (pod.path("metadata").has("deletionTimestamp")) {
      if (existing != null && existing.uid.equals(uid) && existing.markStopping()) {
        long grace = pod.path("metadata").path("deletionGracePeriodSeconds").asLong(30);
        workers.execute(() -> {
          stopRunner(existing, grace);
          runners.remove(k, existing);
          store.finishDeletion(pods, ns, name);
        });
      } else if (existing == null) {
        store.finishDeletion(pods, ns, name);
      }
      return;
    }
    if (existing == null && e.type().equals("ADDED")) {
      // A pod keeps its address and uid across re-creation under the same name (stable DNS in the sandbox).
      int index = podIndex.computeIfAbsent(k, x -> nextIndex.getAndIncrement());
      String ip = network.ip(index);
      int runAs = network.uid(index);
      network.attach(runAs, ip);
      registerNames(pod, ip);
      PodRunner runner = new PodRunner(this, pod, ip, runAs);
      runners.put(k, runner);
      workers.execute(runner::start);
    }
  }

  private void stopRunner(PodRunner r, long grace) {
    r.terminate(grace);
    for (JsonNode v : r.pod.path("spec").path("volumes")) {
      if (v.has("persistentVolumeClaim")) releaseClaim(r.namespace, v.path("persistentVolumeClaim").path("claimName").asText());
    }
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

  /** Client Services resolve to one ready pod (the sandbox has no virtual IPs). */
  private void refreshServiceNames() {
    for (ObjectNode svc : store.list(services, null)) {
      String ns = svc.path("metadata").path("namespace").asText();
      String name = svc.path("metadata").path("name").asText();
      if ("None".equals(svc.path("spec").path("clusterIP").asText()) || !svc.path("spec").has("selector")) continue;
      StringBuilder sel = new StringBuilder();
      svc.path("spec").path("selector").fields().forEachRemaining(f ->
          sel.append(sel.length() == 0 ? "" : ",").append(f.getKey()).append('=').append(f.getValue().asText()));
      var matches = Selectors.labels(sel.toString());
      String ip = null;
      for (PodRunner r : runners.values()) {
        ObjectNode p = store.get(pods, r.namespace, r.name);
        if (p != null && r.namespace.equals(ns) && matches.test(p) && r.ready()) {
          ip = r.ip;
          break;
        }
      }
      String base = name + "." + ns;
      hosts.put("svc/" + key(ns, name), ip == null ? "" : ip,
          ip == null ? List.of() : List.of(base + ".svc." + clusterDomain, base + ".svc", base));
    }
  }

  Optional<ObjectNode> lookup(String kind, String ns, String name) {
    return store.registry().find("", "v1", kind.equals("Secret") ? "secrets" : "configmaps")
        .map(t -> store.get(t, ns, name));
  }

  void writePodStatus(PodRunner r, ObjectNode status) {
    try {
      store.update(pods, r.namespace, r.name, cur -> {
        if (!cur.path("metadata").path("uid").asText().equals(r.uid)) return cur;
        cur.set("status", status);
        return cur;
      }, ObjectStore.Subresource.STATUS);
    } catch (ApiException e) {
      if (e.code() != 404) log.warn("pod status write failed: {}", e.getMessage());
    }
    events.execute(this::refreshServiceNames);
  }

  void recordPid(PodRunner r, String container, long pid) {
    try {
      Files.createDirectories(r.podDir());
      Files.writeString(r.podDir().resolve(container + ".pid"), Long.toString(pid));
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
    store.unsubscribe(listener);
    List<PodRunner> all = new ArrayList<>(runners.values());
    runners.clear();
    all.parallelStream().forEach(r -> r.terminate(5));
    events.shutdownNow();
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
