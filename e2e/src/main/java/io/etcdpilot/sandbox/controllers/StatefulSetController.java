package io.etcdpilot.sandbox.controllers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcdpilot.sandbox.apiserver.ApiException;
import io.etcdpilot.sandbox.apiserver.ObjectStore;
import io.etcdpilot.sandbox.apiserver.ResourceRegistry;
import io.etcdpilot.sandbox.apiserver.ResourceType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' StatefulSet controller, reduced to what etcd needs: ordinal pods from the template
 * (Parallel and OrderedReady), a PVC per claim template kept across pod restarts (retention policy
 * honoured), controller-revision-hash labels with current/update revisions, OnDelete and RollingUpdate,
 * and status counts. It works on the store directly, triggered by its events and a slow resync.
 */
public final class StatefulSetController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StatefulSetController.class);
  public static final String REVISION_LABEL = "controller-revision-hash";

  private final ObjectStore store;
  private final ResourceType sts;
  private final ResourceType pods;
  private final ResourceType pvcs;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "statefulset-controller");
    t.setDaemon(true);
    return t;
  });
  private final AtomicBoolean pending = new AtomicBoolean();
  private final ObjectStore.Listener listener;

  public StatefulSetController(ObjectStore store) {
    this.store = store;
    ResourceRegistry r = store.registry();
    this.sts = r.find("apps", "v1", "statefulsets").orElseThrow();
    this.pods = r.find("", "v1", "pods").orElseThrow();
    this.pvcs = r.find("", "v1", "persistentvolumeclaims").orElseThrow();
    this.listener = e -> {
      String kind = e.resource().kind();
      if (kind.equals("StatefulSet") || kind.equals("Pod") || kind.equals("PersistentVolumeClaim")) trigger();
    };
  }

  public void start() {
    store.subscribe(0, listener);
    loop.scheduleWithFixedDelay(this::trigger, 1, 2, TimeUnit.SECONDS);
  }

  private void trigger() {
    if (pending.compareAndSet(false, true)) {
      loop.execute(() -> {
        pending.set(false);
        try {
          syncAll();
        } catch (RuntimeException e) {
          log.warn("statefulset sync failed", e);
        }
      });
    }
  }

  private void syncAll() {
    for (ObjectNode set : store.list(sts, null)) {
      if (set.path("metadata").has("deletionTimestamp")) continue;
      try {
        sync(set);
      } catch (ApiException e) {
        if (e.code() != 409 && e.code() != 404) log.warn("sync of statefulset {} failed: {}", name(set), e.getMessage());
      }
    }
  }

  private static String name(JsonNode o) {
    return o.path("metadata").path("name").asText();
  }

  private static String namespace(JsonNode o) {
    return o.path("metadata").path("namespace").asText();
  }

  static String revision(ObjectNode set) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(set.path("spec").path("template").toString()
          .getBytes(StandardCharsets.UTF_8));
      return name(set) + "-" + HexFormat.of().formatHex(d).substring(0, 10);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void sync(ObjectNode set) {
    String ns = namespace(set);
    String setName = name(set);
    String uid = set.path("metadata").path("uid").asText();
    JsonNode spec = set.path("spec");
    int replicas = spec.path("replicas").asInt(1);
    boolean parallel = "Parallel".equals(spec.path("podManagementPolicy").asText());
    boolean rolling = !"OnDelete".equals(spec.path("updateStrategy").path("type").asText("RollingUpdate"));
    String updateRevision = revision(set);

    Map<Integer, ObjectNode> owned = new HashMap<>();
    for (ObjectNode p : store.list(pods, ns)) {
      for (JsonNode ref : p.path("metadata").path("ownerReferences")) {
        if (uid.equals(ref.path("uid").asText())) {
          String n = name(p);
          try {
            owned.put(Integer.parseInt(n.substring(setName.length() + 1)), p);
          } catch (RuntimeException ignored) {
            // not one of ours
          }
        }
      }
    }

    // Create missing ordinals; recreate the claims of pods that wait for them (a claim deleted under a pod).
    for (int i = 0; i < replicas; i++) {
      if (owned.containsKey(i)) {
        if (!owned.get(i).path("status").has("containerStatuses")) ensureClaims(set, i);
        continue;
      }
      if (!parallel && !allReadyBelow(owned, i)) break;
      ensureClaims(set, i);
      ObjectNode pod = newPod(set, i, updateRevision);
      try {
        owned.put(i, store.create(pods, ns, pod));
      } catch (ApiException e) {
        if (e.code() != 409) throw e;
      }
      if (!parallel) break;
    }

    // Remove ordinals beyond replicas: all at once (Parallel) or highest first, one at a time.
    List<Integer> extra = owned.keySet().stream().filter(i -> i >= replicas).sorted((a, b) -> b - a).toList();
    for (int i : extra) {
      ObjectNode p = owned.get(i);
      if (!p.path("metadata").has("deletionTimestamp")) {
        store.delete(pods, ns, name(p), "Background", null);
      }
      if (!parallel) break;
    }
    if (extra.isEmpty() && "Delete".equals(spec.path("persistentVolumeClaimRetentionPolicy").path("whenScaled").asText())) {
      deleteClaimsAbove(set, replicas);
    }

    // RollingUpdate: replace the highest outdated pod when every other pod is ready.
    if (rolling) {
      boolean allReady = owned.values().stream().allMatch(StatefulSetController::ready);
      if (allReady) {
        owned.entrySet().stream()
            .filter(e -> e.getKey() < replicas)
            .filter(e -> !updateRevision.equals(e.getValue().path("metadata").path("labels").path(REVISION_LABEL).asText()))
            .max(Map.Entry.comparingByKey())
            .ifPresent(e -> store.delete(pods, ns, name(e.getValue()), "Background", null));
      }
    }

    updateStatus(set, owned, replicas, updateRevision);
  }

  private static boolean allReadyBelow(Map<Integer, ObjectNode> owned, int ordinal) {
    for (int i = 0; i < ordinal; i++) {
      ObjectNode p = owned.get(i);
      if (p == null || !ready(p)) return false;
    }
    return true;
  }

  static boolean ready(JsonNode pod) {
    if (pod.path("metadata").has("deletionTimestamp")) return false;
    for (JsonNode c : pod.path("status").path("conditions")) {
      if ("Ready".equals(c.path("type").asText())) return "True".equals(c.path("status").asText());
    }
    return false;
  }

  private ObjectNode newPod(ObjectNode set, int ordinal, String revision) {
    String setName = name(set);
    String podName = setName + "-" + ordinal;
    JsonNode template = set.path("spec").path("template");
    ObjectNode pod = ObjectStore.JSON.createObjectNode();
    ObjectNode meta = pod.putObject("metadata");
    meta.put("name", podName);
    meta.put("namespace", namespace(set));
    ObjectNode labels = meta.putObject("labels");
    template.path("metadata").path("labels").fields().forEachRemaining(e -> labels.set(e.getKey(), e.getValue()));
    labels.put(REVISION_LABEL, revision);
    labels.put("statefulset.kubernetes.io/pod-name", podName);
    labels.put("apps.kubernetes.io/pod-index", Integer.toString(ordinal));
    if (template.path("metadata").has("annotations")) meta.set("annotations", template.path("metadata").path("annotations").deepCopy());
    meta.putArray("ownerReferences").addObject()
        .put("apiVersion", "apps/v1").put("kind", "StatefulSet").put("name", setName)
        .put("uid", set.path("metadata").path("uid").asText()).put("controller", true).put("blockOwnerDeletion", true);
    ObjectNode podSpec = template.path("spec").deepCopy();
    podSpec.put("hostname", podName);
    podSpec.put("subdomain", set.path("spec").path("serviceName").asText());
    podSpec.put("nodeName", "sandbox");
    ArrayNode volumes = podSpec.has("volumes") ? (ArrayNode) podSpec.get("volumes") : podSpec.putArray("volumes");
    for (JsonNode claim : set.path("spec").path("volumeClaimTemplates")) {
      String vol = claim.path("metadata").path("name").asText();
      volumes.addObject().put("name", vol).putObject("persistentVolumeClaim")
          .put("claimName", vol + "-" + setName + "-" + ordinal);
    }
    pod.set("spec", podSpec);
    pod.putObject("status").put("phase", "Pending");
    return pod;
  }

  private void ensureClaims(ObjectNode set, int ordinal) {
    String ns = namespace(set);
    boolean ownedBySet = "Delete".equals(set.path("spec").path("persistentVolumeClaimRetentionPolicy").path("whenDeleted").asText());
    for (JsonNode claim : set.path("spec").path("volumeClaimTemplates")) {
      String claimName = claim.path("metadata").path("name").asText() + "-" + name(set) + "-" + ordinal;
      if (store.get(pvcs, ns, claimName) != null) continue;
      ObjectNode pvc = ObjectStore.JSON.createObjectNode();
      ObjectNode meta = pvc.putObject("metadata");
      meta.put("name", claimName).put("namespace", ns);
      // The pvc-protection finalizer: the kubelet releases the claim once no running pod uses it.
      meta.putArray("finalizers").add("kubernetes.io/pvc-protection");
      ObjectNode labels = meta.putObject("labels");
      claim.path("metadata").path("labels").fields().forEachRemaining(e -> labels.set(e.getKey(), e.getValue()));
      set.path("spec").path("selector").path("matchLabels").fields().forEachRemaining(e -> labels.set(e.getKey(), e.getValue()));
      if (ownedBySet) {
        meta.putArray("ownerReferences").addObject().put("apiVersion", "apps/v1").put("kind", "StatefulSet")
            .put("name", name(set)).put("uid", set.path("metadata").path("uid").asText());
      }
      pvc.set("spec", claim.path("spec").deepCopy());
      ObjectNode status = pvc.putObject("status");
      status.put("phase", "Bound");
      status.putArray("accessModes").add("ReadWriteOnce");
      status.putObject("capacity").put("storage", claim.path("spec").path("resources").path("requests").path("storage").asText());
      store.create(pvcs, ns, pvc);
    }
  }

  private void deleteClaimsAbove(ObjectNode set, int replicas) {
    String ns = namespace(set);
    for (JsonNode claim : set.path("spec").path("volumeClaimTemplates")) {
      String prefix = claim.path("metadata").path("name").asText() + "-" + name(set) + "-";
      for (ObjectNode pvc : store.list(pvcs, ns)) {
        String n = name(pvc);
        if (!n.startsWith(prefix)) continue;
        try {
          if (Integer.parseInt(n.substring(prefix.length())) >= replicas && !pvc.path("metadata").has("deletionTimestamp")) {
            store.delete(pvcs, ns, n, "Background", null);
          }
        } catch (NumberFormatException ignored) {
          // not an ordinal claim
        }
      }
    }
  }

  private void updateStatus(ObjectNode set, Map<Integer, ObjectNode> owned, int replicas, String updateRevision) {
    int ready = 0;
    int updated = 0;
    for (ObjectNode p : owned.values()) {
      if (ready(p)) ready++;
      if (updateRevision.equals(p.path("metadata").path("labels").path(REVISION_LABEL).asText())) updated++;
    }
    String currentRevision = set.path("status").path("currentRevision").asText(updateRevision);
    if (updated == owned.size() && owned.size() == replicas) currentRevision = updateRevision;
    int current = 0;
    for (ObjectNode p : owned.values()) {
      if (currentRevision.equals(p.path("metadata").path("labels").path(REVISION_LABEL).asText())) current++;
    }
    ObjectNode status = ObjectStore.JSON.createObjectNode();
    status.put("observedGeneration", set.path("metadata").path("generation").asLong());
    status.put("replicas", owned.size());
    status.put("readyReplicas", ready);
    status.put("availableReplicas", ready);
    status.put("currentReplicas", current);
    status.put("updatedReplicas", updated);
    status.put("currentRevision", currentRevision);
    status.put("updateRevision", updateRevision);
    status.put("collisionCount", 0);
    StringBuilder selector = new StringBuilder();
    set.path("spec").path("selector").path("matchLabels").fields().forEachRemaining(e ->
        selector.append(selector.length() == 0 ? "" : ",").append(e.getKey()).append('=').append(e.getValue().asText()));
    status.put("labelSelector", selector.toString());
    if (status.equals(set.path("status"))) return;
    store.update(sts, namespace(set), name(set), cur -> {
      cur.set("status", status);
      return cur;
    }, ObjectStore.Subresource.STATUS);
  }

  @Override
  public void close() {
    store.unsubscribe(listener);
    loop.shutdownNow();
  }
}
