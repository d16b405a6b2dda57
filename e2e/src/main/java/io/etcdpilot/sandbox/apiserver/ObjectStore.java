package io.etcdpilot.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * The sandbox's etcd stand-in: every object as JSON, one resourceVersion counter, a bounded event
 * history for watches that resume, owner-reference garbage collection, finalizers, graceful pod
 * deletion, and metadata.generation bumped on spec changes only. Listeners are called in commit order
 * under the store lock and must not block.
 */
public final class ObjectStore {
  public static final ObjectMapper JSON = new ObjectMapper();
  private static final int HISTORY = 20_000;

  public enum Subresource { NONE, STATUS }

  /** One change, as a watch reports it. */
  public record WatchEvent(String type, ResourceType resource, ObjectNode object, long resourceVersion) {}

  public interface Listener {
    void onEvent(WatchEvent event);
  }

  private final ResourceRegistry registry;
  private final TreeMap<String, ObjectNode> objects = new TreeMap<>();
  private final Map<String, ResourceType> typeOfKey = new TreeMap<>();
  private final java.util.Set<String> uids = new java.util.HashSet<>();
  private final Deque<WatchEvent> history = new ArrayDeque<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private long resourceVersion = 100;

  public ObjectStore(ResourceRegistry registry) {
    this.registry = registry;
  }

  public ResourceRegistry registry() {
    return registry;
  }

  private static String key(ResourceType t, String ns, String name) {
    return t.key() + "|" + (t.namespaced() ? ns : "") + "|" + name;
  }

  private static String prefix(ResourceType t, String ns) {
    return t.key() + "|" + (ns == null ? "" : ns + "|");
  }

  public synchronized long currentResourceVersion() {
    return resourceVersion;
  }

  public synchronized ObjectNode get(ResourceType t, String ns, String name) {
    ObjectNode o = objects.get(key(t, ns, name));
    return o == null ? null : o.deepCopy();
  }

  /** Objects of a type, in one namespace or (ns == null) in all of them. */
  public synchronized List<ObjectNode> list(ResourceType t, String ns) {
    List<ObjectNode> out = new ArrayList<>();
    String p = prefix(t, t.namespaced() ? ns : null);
    for (Map.Entry<String, ObjectNode> e : objects.tailMap(p, true).entrySet()) {
      if (!e.getKey().startsWith(p)) break;
      out.add(e.getValue().deepCopy());
    }
    return out;
  }

  /**
   * Registers a listener and returns, atomically, the events after {@code fromResourceVersion} it missed.
   * A version older than the history answers 410 Gone, as Kubernetes does.
   */
  public synchronized List<WatchEvent> subscribe(long fromResourceVersion, Listener listener) {
    List<WatchEvent> missed = new ArrayList<>();
    if (fromResourceVersion > 0) {
      WatchEvent oldest = history.peekFirst();
      if (oldest != null && oldest.resourceVersion() > fromResourceVersion + 1 && history.size() >= HISTORY) {
        throw new ApiException(410, "Expired", "too old resource version: " + fromResourceVersion);
      }
      for (WatchEvent e : history) {
        if (e.resourceVersion() > fromResourceVersion) missed.add(e);
      }
    }
    listeners.add(listener);
    return missed;
  }

  public void unsubscribe(Listener listener) {
    listeners.remove(listener);
  }

  private void emit(String type, ResourceType t, ObjectNode obj) {
    WatchEvent e = new WatchEvent(type, t, obj.deepCopy(), resourceVersion);
    history.addLast(e);
    while (history.size() > HISTORY) history.removeFirst();
    for (Listener l : listeners) {
      l.onEvent(e);
    }
  }

  private long nextVersion() {
    return ++resourceVersion;
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  public synchronized ObjectNode create(ResourceType t, String ns, ObjectNode obj) {
    ObjectNode meta = obj.with("metadata");
    String name = meta.path("name").asText("");
    if (name.isEmpty() && meta.has("generateName")) {
      name = meta.get("generateName").asText() + UUID.randomUUID().toString().substring(0, 5);
      meta.put("name", name);
    }
    if (name.isEmpty()) throw ApiException.badRequest("metadata.name: Required value: name or generateName is required");
    if (t.namespaced()) {
      if (ns == null || ns.isEmpty()) ns = meta.path("namespace").asText("default");
      if (meta.has("namespace") && !meta.get("namespace").asText().equals(ns)) {
        throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      meta.put("namespace", ns);
    } else {
      meta.remove("namespace");
    }
    String k = key(t, ns, name);
    if (objects.containsKey(k)) {
      throw new ApiException(409, "AlreadyExists", t.plural() + " \"" + name + "\" already exists");
    }
    obj.put("apiVersion", t.apiVersion());
    obj.put("kind", t.kind());
    meta.put("uid", UUID.randomUUID().toString());
    meta.put("creationTimestamp", now());
    meta.put("generation", 1);
    meta.remove("deletionTimestamp");
    meta.put("resourceVersion", Long.toString(nextVersion()));
    if (t.kind().equals("CustomResourceDefinition")) {
      registry.registerCrd(obj);
      ObjectNode status = obj.putObject("status");
      ArrayNode conditions = status.putArray("conditions");
      for (String c : List.of("NamesAccepted", "Established")) {
        conditions.addObject().put("type", c).put("status", "True").put("reason", c).put("lastTransitionTime", now());
      }
      status.set("acceptedNames", obj.path("spec").path("names").deepCopy());
    }
    objects.put(k, obj);
    typeOfKey.put(k, t);
    uids.add(meta.path("uid").asText());
    emit("ADDED", t, obj);
    if (ownersGone(obj)) {
      // Kubernetes' garbage collector removes dependents whose owners no longer exist, e.g. objects a
      // controller re-created from a stale cache right after their owner was deleted.
      delete(t, ns, name, "Background", null);
    }
    return obj.deepCopy();
  }

  /**
   * Replaces an object with what {@code mutate} makes of a copy of it. Through the main resource, status
   * changes are dropped for kinds with a status subresource; through /status, only status changes count.
   */
  public synchronized ObjectNode update(ResourceType t, String ns, String name, UnaryOperator<ObjectNode> mutate,
      Subresource sub) {
    String k = key(t, ns, name);
    ObjectNode current = objects.get(k);
    if (current == null) throw ApiException.notFound(t, name);
    ObjectNode proposed = mutate.apply(current.deepCopy());
    String expected = proposed.path("metadata").path("resourceVersion").asText("");
    if (!expected.isEmpty() && !expected.equals(current.path("metadata").path("resourceVersion").asText())) {
      throw new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + t.plural() + " \"" + name
          + "\": the object has been modified; please apply your changes to the latest version and try again");
    }
    ObjectNode next;
    if (sub == Subresource.STATUS) {
      next = current.deepCopy();
      if (proposed.has("status")) next.set("status", proposed.get("status"));
      else next.remove("status");
    } else {
      next = proposed;
      if (t.statusSubresource()) {
        if (current.has("status")) next.set("status", current.get("status"));
        else next.remove("status");
      }
      ObjectNode meta = next.with("metadata");
      ObjectNode oldMeta = (ObjectNode) current.get("metadata");
      for (String fixed : List.of("uid", "creationTimestamp", "namespace", "name", "deletionTimestamp",
          "deletionGracePeriodSeconds")) {
        if (oldMeta.has(fixed)) meta.set(fixed, oldMeta.get(fixed));
        else meta.remove(fixed);
      }
      meta.set("generation", oldMeta.get("generation"));
      if (!Objects.equals(withoutMetaAndStatus(current), withoutMetaAndStatus(next))) {
        meta.put("generation", oldMeta.path("generation").asLong(1) + 1);
      }
    }
    next.put("apiVersion", t.apiVersion());
    next.put("kind", t.kind());
    if (withoutVersion(next).equals(withoutVersion(current))) {
      return current.deepCopy(); // nothing changed: no new version, no event, as Kubernetes does
    }
    next.with("metadata").put("resourceVersion", Long.toString(nextVersion()));
    objects.put(k, next);
    if (t.kind().equals("CustomResourceDefinition")) registry.registerCrd(next);
    if (next.path("metadata").has("deletionTimestamp") && finalizers(next).isEmpty() && !t.kind().equals("Pod")) {
      remove(t, k, next, "Background");
      return next.deepCopy();
    }
    emit("MODIFIED", t, next);
    return next.deepCopy();
  }

  private static ObjectNode withoutVersion(ObjectNode o) {
    ObjectNode c = o.deepCopy();
    c.with("metadata").remove("resourceVersion");
    return c;
  }

  private static JsonNode withoutMetaAndStatus(ObjectNode o) {
    ObjectNode c = o.deepCopy();
    c.remove("metadata");
    c.remove("status");
    return c;
  }

  private static List<String> finalizers(JsonNode o) {
    List<String> out = new ArrayList<>();
    o.path("metadata").path("finalizers").forEach(f -> out.add(f.asText()));
    return out;
  }

  /**
   * Deletes an object. Pods (unless the grace period is 0) and objects with finalizers are only marked
   * with a deletionTimestamp; the kubelet or the finalizer's owner completes the deletion.
   */
  public synchronized ObjectNode delete(ResourceType t, String ns, String name, String propagation, Long gracePeriod) {
    String k = key(t, ns, name);
    ObjectNode current = objects.get(k);
    if (current == null) throw ApiException.notFound(t, name);
    ObjectNode meta = (ObjectNode) current.get("metadata");
    boolean graceful = t.kind().equals("Pod") && (gracePeriod == null || gracePeriod > 0);
    if (!finalizers(current).isEmpty() || graceful) {
      if (!meta.has("deletionTimestamp")) {
        ObjectNode next = current.deepCopy();
        next.with("metadata").put("deletionTimestamp", now());
        long grace = gracePeriod != null ? gracePeriod
            : current.path("spec").path("terminationGracePeriodSeconds").asLong(30);
        next.with("metadata").put("deletionGracePeriodSeconds", grace);
        next.with("metadata").put("resourceVersion", Long.toString(nextVersion()));
        objects.put(k, next);
        emit("MODIFIED", t, next);
        return next.deepCopy();
      }
      if (!(t.kind().equals("Pod") && gracePeriod != null && gracePeriod == 0)) {
        return current.deepCopy();
      }
    }
    remove(t, k, current, propagation == null ? "Background" : propagation);
    return current.deepCopy();
  }

  /** Completes a graceful deletion (the kubelet calls this once the pod's processes are gone). */
  public synchronized void finishDeletion(ResourceType t, String ns, String name) {
    String k = key(t, ns, name);
    ObjectNode current = objects.get(k);
    if (current != null) remove(t, k, current, "Background");
  }

  private boolean ownersGone(JsonNode obj) {
    JsonNode refs = obj.path("metadata").path("ownerReferences");
    if (!refs.isArray() || refs.isEmpty()) return false;
    for (JsonNode ref : refs) {
      if (uids.contains(ref.path("uid").asText())) return false;
    }
    return true;
  }

  private void remove(ResourceType t, String k, ObjectNode obj, String propagation) {
    objects.remove(k);
    typeOfKey.remove(k);
    uids.remove(obj.path("metadata").path("uid").asText());
    obj.with("metadata").put("resourceVersion", Long.toString(nextVersion()));
    emit("DELETED", t, obj);
    if (t.kind().equals("CustomResourceDefinition")) {
      ResourceType served = registry.find(obj.path("spec").path("group").asText(),
          obj.path("spec").path("versions").path(0).path("name").asText(),
          obj.path("spec").path("names").path("plural").asText()).orElse(null);
      if (served != null) {
        for (ObjectNode cr : list(served, null)) {
          remove(served, key(served, cr.path("metadata").path("namespace").asText(), cr.path("metadata").path("name").asText()), cr, "Background");
        }
      }
      registry.unregisterCrd(obj);
    }
    collectGarbage(obj.path("metadata").path("uid").asText(), propagation);
  }

  /** Deletes (or, with Orphan, releases) every object owned by the uid. */
  private void collectGarbage(String ownerUid, String propagation) {
    List<String[]> dependents = new ArrayList<>();
    for (Map.Entry<String, ObjectNode> e : objects.entrySet()) {
      for (JsonNode ref : e.getValue().path("metadata").path("ownerReferences")) {
        if (ownerUid.equals(ref.path("uid").asText())) {
          dependents.add(new String[] {e.getKey()});
        }
      }
    }
    for (String[] d : dependents) {
      ObjectNode dep = objects.get(d[0]);
      ResourceType dt = typeOfKey.get(d[0]);
      if (dep == null || dt == null) continue;
      if ("Orphan".equals(propagation)) {
        ObjectNode next = dep.deepCopy();
        ArrayNode refs = (ArrayNode) next.with("metadata").get("ownerReferences");
        for (Iterator<JsonNode> it = refs.iterator(); it.hasNext(); ) {
          if (ownerUid.equals(it.next().path("uid").asText())) it.remove();
        }
        next.with("metadata").put("resourceVersion", Long.toString(nextVersion()));
        objects.put(d[0], next);
        emit("MODIFIED", dt, next);
      } else {
        delete(dt, dep.path("metadata").path("namespace").asText(), dep.path("metadata").path("name").asText(),
            "Background", null);
      }
    }
  }
}
