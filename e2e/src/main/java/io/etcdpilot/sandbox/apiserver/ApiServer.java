package io.etcdpilot.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's Kubernetes API server: the REST surface the operator (fabric8) and kubectl use, over an
 * {@link ObjectStore}. JSON only; discovery, Table printing, watches (chunked HTTP and WebSocket),
 * status and scale subresources, three patch formats, label and field selectors.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

  /** Where `kubectl logs` reads a container's output from. */
  public interface LogSource {
    Optional<Path> logFile(String namespace, String pod, String container);
  }

  private final ObjectStore store;
  private final ResourceRegistry registry;
  private final Vertx vertx;
  private HttpServer server;
  private volatile LogSource logs = (ns, pod, c) -> Optional.empty();

  public ApiServer(ObjectStore store) {
    this.store = store;
    this.registry = store.registry();
    this.vertx = Vertx.vertx();
  }

  public void setLogSource(LogSource logs) {
    this.logs = logs;
  }

  public int start(String host, int port) throws Exception {
    server = vertx.createHttpServer().requestHandler(this::handle);
    return server.listen(port, host).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
  }

  @Override
  public void close() throws Exception {
    if (server != null) server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  /** A parsed resource path. */
  record Target(ResourceType type, String namespace, String name, String subresource) {}

  private void handle(HttpServerRequest req) {
    if ("websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
      try {
        Target t = parse(req.path());
        if (t == null || t.name() != null) throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        req.toWebSocket().onSuccess(ws -> watchOverWebSocket(req, t, ws));
      } catch (ApiException e) {
        error(req.response(), e);
      }
      return;
    }
    req.body().onSuccess(body -> {
      try {
        route(req, body);
      } catch (ApiException e) {
        error(req.response(), e);
      } catch (RuntimeException e) {
        log.warn("{} {} failed", req.method(), req.uri(), e);
        error(req.response(), new ApiException(500, "InternalError", String.valueOf(e)));
      }
    });
  }

  private void route(HttpServerRequest req, Buffer body) {
    String path = req.path();
    if (path.length() > 1 && path.endsWith("/")) path = path.substring(0, path.length() - 1);
    String method = req.method().name();
    if (method.equals("GET")) {
      switch (path) {
        case "/version" -> { json(req.response(), 200, version()); return; }
        case "/api" -> { json(req.response(), 200, apiVersions(req)); return; }
        case "/apis" -> { json(req.response(), 200, groupList()); return; }
        case "/healthz", "/readyz", "/livez" -> { req.response().setStatusCode(200).end("ok"); return; }
        default -> { }
      }
      if (path.equals("/openapi/v3")) {
        json(req.response(), 200, openApiIndex());
        return;
      }
      if (path.startsWith("/openapi/v3/")) {
        json(req.response(), 200, openApiDocument(path.substring("/openapi/v3".length())));
        return;
      }
      if (path.equals("/api/v1") || path.matches("^/apis/[^/]+/[^/]+$")) {
        json(req.response(), 200, resourceList(path));
        return;
      }
      if (path.matches("^/apis/[^/]+$")) {
        json(req.response(), 200, group(path.substring(6)));
        return;
      }
    }
    Target t = parse(path);
    if (t == null) throw new ApiException(404, "NotFound", "the server could not find the requested resource");
    String contentType = req.getHeader("Content-Type");
    if (body.length() > 0 && contentType != null && contentType.contains("protobuf") && !method.equals("DELETE")) {
      throw new ApiException(415, "UnsupportedMediaType",
          "the sandbox API server speaks JSON only; kubectl create <kind> sends protobuf, use kubectl apply -f instead");
    }
    switch (method) {
      case "GET" -> get(req, t);
      case "POST" -> {
        if (t.type().group().equals("authorization.k8s.io")) {
          json(req.response(), 201, allowEverything(t.type(), parseObject(body)));
          return;
        }
        if (t.name() != null) throw new ApiException(405, "MethodNotAllowed", "POST to a named resource");
        ObjectNode obj = parseObject(body);
        json(req.response(), 201, respondAs(req, t.type(), store.create(t.type(), t.namespace(), obj)));
      }
      case "PUT" -> put(req, t, parseObject(body));
      case "PATCH" -> patch(req, t, contentType, parseJson(body));
      case "DELETE" -> delete(req, t, body);
      default -> throw new ApiException(405, "MethodNotAllowed", method + " is not supported");
    }
  }

  private Target parse(String path) {
    String[] s = path.split("/");
    // ["", "api", "v1", ...] or ["", "apis", group, version, ...]
    int i;
    String group;
    String version;
    if (s.length >= 3 && s[1].equals("api")) {
      group = "";
      version = s[2];
      i = 3;
    } else if (s.length >= 4 && s[1].equals("apis")) {
      group = s[2];
      version = s[3];
      i = 4;
    } else {
      return null;
    }
    List<String> rest = new ArrayList<>();
    for (int j = i; j < s.length; j++) rest.add(s[j]);
    String ns = null;
    if (rest.size() >= 3 && rest.get(0).equals("namespaces") && !List.of("status", "finalize").contains(rest.get(2))) {
      ns = rest.get(1);
      rest = rest.subList(2, rest.size());
    }
    if (rest.isEmpty()) return null;
    String plural = rest.get(0);
    ResourceType type = registry.find(group, version, plural).orElseThrow(() -> new ApiException(404, "NotFound",
        "the server could not find the requested resource (" + group + "/" + version + " " + plural + ")"));
    String name = rest.size() > 1 ? rest.get(1) : null;
    String sub = rest.size() > 2 ? rest.get(2) : null;
    if (!type.namespaced()) ns = null;
    return new Target(type, ns, name, sub);
  }

  private void get(HttpServerRequest req, Target t) {
    if (t.name() == null) {
      if (isTrue(req.getParam("watch"))) {
        watchOverHttp(req, t);
        return;
      }
      Predicate<JsonNode> filter = Selectors.labels(req.getParam("labelSelector"))
          .and(Selectors.fields(req.getParam("fieldSelector")));
      List<ObjectNode> items;
      long rv;
      synchronized (store) {
        rv = store.currentResourceVersion();
        items = store.list(t.type(), t.namespace()).stream().filter(filter).toList();
      }
      if (wantsTable(req)) {
        json(req.response(), 200, Tables.table(t.type(), items, Long.toString(rv)));
        return;
      }
      ObjectNode list = ObjectStore.JSON.createObjectNode();
      list.put("kind", t.type().kind() + "List");
      list.put("apiVersion", t.type().apiVersion());
      list.putObject("metadata").put("resourceVersion", Long.toString(rv));
      ArrayNode arr = list.putArray("items");
      items.forEach(arr::add);
      json(req.response(), 200, list);
      return;
    }
    ObjectNode obj = store.get(t.type(), t.namespace(), t.name());
    if (obj == null) throw ApiException.notFound(t.type(), t.name());
    if ("scale".equals(t.subresource())) {
      json(req.response(), 200, scaleOf(t.type(), obj));
    } else if ("log".equals(t.subresource())) {
      podLog(req, t, obj);
    } else {
      json(req.response(), 200, respondAs(req, t.type(), obj));
    }
  }

  private void podLog(HttpServerRequest req, Target t, ObjectNode pod) {
    String container = req.getParam("container");
    if (container == null) container = pod.path("spec").path("containers").path(0).path("name").asText();
    Optional<Path> file = logs.logFile(t.namespace(), t.name(), container);
    String text = "";
    if (file.isPresent() && Files.exists(file.get())) {
      try {
        text = Files.readString(file.get());
      } catch (IOException e) {
        throw new ApiException(500, "InternalError", e.getMessage());
      }
    }
    String tail = req.getParam("tailLines");
    if (tail != null) {
      String[] lines = text.split("\n");
      int n = Integer.parseInt(tail);
      text = String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - n), lines.length)) + "\n";
    }
    req.response().setStatusCode(200).putHeader("Content-Type", "text/plain").end(text);
  }

  private Object respondAs(HttpServerRequest req, ResourceType t, ObjectNode obj) {
    if (wantsTable(req)) {
      return Tables.table(t, List.of(obj), obj.path("metadata").path("resourceVersion").asText());
    }
    return obj;
  }

  private void put(HttpServerRequest req, Target t, ObjectNode body) {
    if (t.name() == null) throw new ApiException(405, "MethodNotAllowed", "PUT needs a name");
    ObjectNode result;
    if ("scale".equals(t.subresource())) {
      result = setReplicas(t, body.path("spec").path("replicas").asInt(), body.path("metadata").path("resourceVersion").asText(""));
      json(req.response(), 200, scaleOf(t.type(), result));
      return;
    }
    ObjectStore.Subresource sub = "status".equals(t.subresource()) ? ObjectStore.Subresource.STATUS : ObjectStore.Subresource.NONE;
    result = store.update(t.type(), t.namespace(), t.name(), current -> body, sub);
    json(req.response(), 200, result);
  }

  private void patch(HttpServerRequest req, Target t, String contentType, JsonNode patch) {
    if (t.name() == null) throw new ApiException(405, "MethodNotAllowed", "PATCH needs a name");
    if ("scale".equals(t.subresource())) {
      ObjectNode current = store.get(t.type(), t.namespace(), t.name());
      if (current == null) throw ApiException.notFound(t.type(), t.name());
      ObjectNode scale = Patches.apply(contentType, scaleOf(t.type(), current), patch);
      ObjectNode result = setReplicas(t, scale.path("spec").path("replicas").asInt(), "");
      json(req.response(), 200, scaleOf(t.type(), result));
      return;
    }
    ObjectStore.Subresource sub = "status".equals(t.subresource()) ? ObjectStore.Subresource.STATUS : ObjectStore.Subresource.NONE;
    ObjectNode result = store.update(t.type(), t.namespace(), t.name(), current -> {
      String rv = current.path("metadata").path("resourceVersion").asText();
      ObjectNode patched = Patches.apply(contentType, current, patch);
      // A patch carries a resourceVersion only when the client wants optimistic locking.
      if (!patch.path("metadata").has("resourceVersion")) patched.with("metadata").put("resourceVersion", rv);
      return patched;
    }, sub);
    json(req.response(), 200, result);
  }

  private ObjectNode setReplicas(Target t, int replicas, String expectedRv) {
    ResourceType.Scale scale = scaleSpec(t.type());
    return store.update(t.type(), t.namespace(), t.name(), current -> {
      if (!expectedRv.isEmpty()) current.with("metadata").put("resourceVersion", expectedRv);
      setPath(current, scale.specReplicasPath(), replicas);
      return current;
    }, ObjectStore.Subresource.NONE);
  }

  private ResourceType.Scale scaleSpec(ResourceType t) {
    if (t.scale() == null) throw new ApiException(404, "NotFound", t.plural() + " has no scale subresource");
    return t.scale();
  }

  private ObjectNode scaleOf(ResourceType t, ObjectNode obj) {
    ResourceType.Scale s = scaleSpec(t);
    ObjectNode scale = ObjectStore.JSON.createObjectNode();
    scale.put("kind", "Scale");
    scale.put("apiVersion", "autoscaling/v1");
    ObjectNode meta = scale.putObject("metadata");
    for (String f : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
      if (obj.path("metadata").has(f)) meta.set(f, obj.path("metadata").get(f));
    }
    scale.putObject("spec").put("replicas", SimpleJsonPath.eval(obj, s.specReplicasPath()).asInt(0));
    ObjectNode status = scale.putObject("status");
    status.put("replicas", SimpleJsonPath.eval(obj, s.statusReplicasPath()).asInt(0));
    if (s.labelSelectorPath() != null) {
      JsonNode sel = SimpleJsonPath.eval(obj, s.labelSelectorPath());
      if (!sel.isMissingNode()) status.put("selector", sel.asText());
    }
    return scale;
  }

  private static void setPath(ObjectNode obj, String path, int value) {
    String[] parts = path.substring(1).split("\\.");
    ObjectNode n = obj;
    for (int i = 0; i < parts.length - 1; i++) n = n.with(parts[i]);
    n.put(parts[parts.length - 1], value);
  }

  private void delete(HttpServerRequest req, Target t, Buffer body) {
    if (t.name() == null) {
      // deletecollection
      Predicate<JsonNode> filter = Selectors.labels(req.getParam("labelSelector")).and(Selectors.fields(req.getParam("fieldSelector")));
      for (ObjectNode o : store.list(t.type(), t.namespace())) {
        if (filter.test(o)) {
          store.delete(t.type(), o.path("metadata").path("namespace").asText(null), o.path("metadata").path("name").asText(), null, null);
        }
      }
      json(req.response(), 200, status(200, "Success", ""));
      return;
    }
    String propagation = req.getParam("propagationPolicy");
    Long grace = req.getParam("gracePeriodSeconds") == null ? null : Long.parseLong(req.getParam("gracePeriodSeconds"));
    String contentType = req.getHeader("Content-Type");
    if (body.length() > 0 && (contentType == null || contentType.contains("json"))) {
      JsonNode opts = parseJson(body);
      if (opts.has("propagationPolicy")) propagation = opts.get("propagationPolicy").asText();
      if (opts.has("orphanDependents") && opts.get("orphanDependents").asBoolean()) propagation = "Orphan";
      if (opts.has("gracePeriodSeconds")) grace = opts.get("gracePeriodSeconds").asLong();
    }
    json(req.response(), 200, store.delete(t.type(), t.namespace(), t.name(), propagation, grace));
  }

  // ---- watches ----

  private interface Sink {
    void send(String json);
    void close();
  }

  private void watchOverHttp(HttpServerRequest req, Target t) {
    HttpServerResponse resp = req.response();
    resp.setChunked(true).setStatusCode(200).putHeader("Content-Type", "application/json");
    resp.write("");
    Context ctx = vertx.getOrCreateContext();
    Sink sink = new Sink() {
      public void send(String json) { ctx.runOnContext(v -> { if (!resp.ended() && !resp.closed()) resp.write(json + "\n"); }); }
      public void close() { ctx.runOnContext(v -> { if (!resp.ended() && !resp.closed()) resp.end(); }); }
    };
    startWatch(req, t, sink, resp::closeHandler);
  }

  private void watchOverWebSocket(HttpServerRequest req, Target t, ServerWebSocket ws) {
    Context ctx = vertx.getOrCreateContext();
    Sink sink = new Sink() {
      public void send(String json) { ctx.runOnContext(v -> { if (!ws.isClosed()) ws.writeTextMessage(json); }); }
      public void close() { ctx.runOnContext(v -> { if (!ws.isClosed()) ws.close(); }); }
    };
    startWatch(req, t, sink, ws::closeHandler);
  }

  private void startWatch(HttpServerRequest req, Target t, Sink sink, Function<io.vertx.core.Handler<Void>, ?> onClose) {
    Predicate<JsonNode> filter = Selectors.labels(req.getParam("labelSelector"))
        .and(Selectors.fields(req.getParam("fieldSelector")));
    boolean table = wantsTable(req);
    String rvParam = req.getParam("resourceVersion");
    long from = rvParam == null || rvParam.isEmpty() ? 0 : Long.parseLong(rvParam);
    ObjectStore.Listener listener = e -> {
      if (!e.resource().key().equals(t.type().key())) return;
      if (t.namespace() != null && !t.namespace().equals(e.object().path("metadata").path("namespace").asText())) return;
      if (!filter.test(e.object())) return;
      sink.send(watchEvent(e.type(), t.type(), e.object(), table));
    };
    List<ObjectStore.WatchEvent> missed;
    List<ObjectNode> initial = List.of();
    try {
      synchronized (store) {
        if (from == 0) {
          initial = store.list(t.type(), t.namespace()).stream().filter(filter).toList();
        }
        missed = store.subscribe(from, listener);
      }
    } catch (ApiException gone) {
      ObjectNode status = status(gone.code(), gone.reason(), gone.getMessage());
      ObjectNode ev = ObjectStore.JSON.createObjectNode().put("type", "ERROR");
      ev.set("object", status);
      sink.send(ev.toString());
      sink.close();
      return;
    }
    for (ObjectNode o : initial) sink.send(watchEvent("ADDED", t.type(), o, table));
    for (ObjectStore.WatchEvent e : missed) listener.onEvent(e);
    onClose.apply(v -> store.unsubscribe(listener));
    String timeout = req.getParam("timeoutSeconds");
    if (timeout != null) {
      vertx.setTimer(Math.max(1, Long.parseLong(timeout)) * 1000, id -> {
        store.unsubscribe(listener);
        sink.close();
      });
    }
  }

  private String watchEvent(String type, ResourceType t, ObjectNode obj, boolean table) {
    ObjectNode ev = ObjectStore.JSON.createObjectNode();
    ev.put("type", type);
    ev.set("object", table ? Tables.table(t, List.of(obj), obj.path("metadata").path("resourceVersion").asText()) : obj);
    return ev.toString();
  }

  // ---- discovery ----

  private ObjectNode version() {
    ObjectNode v = ObjectStore.JSON.createObjectNode();
    v.put("major", "1").put("minor", "32").put("gitVersion", "v1.32.0-etcdpilot-sandbox").put("platform", "linux/amd64")
        .put("gitCommit", "sandbox").put("gitTreeState", "clean").put("buildDate", "2026-01-01T00:00:00Z")
        .put("goVersion", "none").put("compiler", "none");
    return v;
  }

  private ObjectNode apiVersions(HttpServerRequest req) {
    ObjectNode v = ObjectStore.JSON.createObjectNode();
    v.put("kind", "APIVersions");
    v.putArray("versions").add("v1");
    v.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0")
        .put("serverAddress", req.localAddress().host() + ":" + req.localAddress().port());
    return v;
  }

  private Map<String, List<String>> groups() {
    Map<String, List<String>> g = new TreeMap<>();
    for (ResourceType t : registry.all()) {
      if (t.group().isEmpty()) continue;
      List<String> versions = g.computeIfAbsent(t.group(), k -> new ArrayList<>());
      if (!versions.contains(t.version())) versions.add(t.version());
    }
    return g;
  }

  private ObjectNode groupList() {
    ObjectNode list = ObjectStore.JSON.createObjectNode();
    list.put("kind", "APIGroupList");
    list.put("apiVersion", "v1");
    ArrayNode arr = list.putArray("groups");
    for (String name : groups().keySet()) arr.add(group(name));
    return list;
  }

  private ObjectNode group(String name) {
    List<String> versions = groups().get(name);
    if (versions == null) throw new ApiException(404, "NotFound", "no API group " + name);
    ObjectNode g = ObjectStore.JSON.createObjectNode();
    g.put("kind", "APIGroup").put("apiVersion", "v1").put("name", name);
    ArrayNode vs = g.putArray("versions");
    for (String v : versions) vs.addObject().put("groupVersion", name + "/" + v).put("version", v);
    g.putObject("preferredVersion").put("groupVersion", name + "/" + versions.get(0)).put("version", versions.get(0));
    return g;
  }

  private ObjectNode resourceList(String path) {
    String group = path.equals("/api/v1") ? "" : path.split("/")[2];
    String version = path.equals("/api/v1") ? "v1" : path.split("/")[3];
    ObjectNode list = ObjectStore.JSON.createObjectNode();
    list.put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", group.isEmpty() ? version : group + "/" + version);
    ArrayNode arr = list.putArray("resources");
    Map<String, ResourceType> sorted = new TreeMap<>();
    for (ResourceType t : registry.all()) {
      if (t.group().equals(group) && t.version().equals(version)) sorted.put(t.plural(), t);
    }
    if (sorted.isEmpty()) throw new ApiException(404, "NotFound", "no API " + path);
    for (ResourceType t : sorted.values()) {
      ObjectNode r = arr.addObject();
      r.put("name", t.plural()).put("singularName", t.singular()).put("namespaced", t.namespaced()).put("kind", t.kind());
      ArrayNode verbs = r.putArray("verbs");
      for (String v : List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")) verbs.add(v);
      if (!t.shortNames().isEmpty()) {
        ArrayNode sn = r.putArray("shortNames");
        t.shortNames().forEach(sn::add);
      }
      if (!t.categories().isEmpty()) {
        ArrayNode c = r.putArray("categories");
        t.categories().forEach(c::add);
      }
      if (t.statusSubresource()) {
        ObjectNode s = arr.addObject();
        s.put("name", t.plural() + "/status").put("singularName", "").put("namespaced", t.namespaced()).put("kind", t.kind());
        s.putArray("verbs").add("get").add("patch").add("update");
      }
      if (t.scale() != null) {
        ObjectNode s = arr.addObject();
        s.put("name", t.plural() + "/scale").put("singularName", "").put("namespaced", t.namespaced()).put("kind", "Scale")
            .put("group", "autoscaling").put("version", "v1");
        s.putArray("verbs").add("get").add("patch").add("update");
      }
      if (t.kind().equals("Pod")) {
        ObjectNode s = arr.addObject();
        s.put("name", "pods/log").put("singularName", "").put("namespaced", true).put("kind", "Pod");
        s.putArray("verbs").add("get");
      }
    }
    return list;
  }

  // ---- OpenAPI v3 ----
  // kubectl decides between client-side and server-side validation from these documents. They list, per
  // group-version, a PATCH operation for every kind that accepts the fieldValidation parameter, so kubectl
  // leaves validation to the server (the operator validates EtcdCluster specs itself, as it must anyway).

  private ObjectNode openApiIndex() {
    ObjectNode index = ObjectStore.JSON.createObjectNode();
    ObjectNode paths = index.putObject("paths");
    Map<String, Boolean> gvs = new TreeMap<>();
    for (ResourceType t : registry.all()) gvs.put(gvPath(t), true);
    for (String gv : gvs.keySet()) {
      paths.putObject(gv).put("serverRelativeURL", "/openapi/v3/" + gv + "?hash=" + Long.toHexString(store.currentResourceVersion()));
    }
    return index;
  }

  private static String gvPath(ResourceType t) {
    return t.group().isEmpty() ? "api/" + t.version() : "apis/" + t.group() + "/" + t.version();
  }

  private ObjectNode openApiDocument(String gvPath) {
    String gv = gvPath.startsWith("/") ? gvPath.substring(1) : gvPath;
    ObjectNode doc = ObjectStore.JSON.createObjectNode();
    doc.put("openapi", "3.0.0");
    doc.putObject("info").put("title", "etcdpilot sandbox").put("version", "v1.32.0");
    ObjectNode paths = doc.putObject("paths");
    doc.putObject("components").putObject("schemas");
    boolean any = false;
    for (ResourceType t : registry.all()) {
      if (!gvPath(t).equals(gv)) continue;
      any = true;
      String base = "/" + gv + (t.namespaced() ? "/namespaces/{namespace}/" : "/") + t.plural() + "/{name}";
      ObjectNode patch = paths.putObject(base).putObject("patch");
      patch.putObject("x-kubernetes-group-version-kind").put("group", t.group()).put("version", t.version()).put("kind", t.kind());
      patch.putArray("parameters").addObject().put("name", "fieldValidation").put("in", "query")
          .putObject("schema").put("type", "string");
      patch.putObject("responses").putObject("200").put("description", "OK");
    }
    if (!any) throw new ApiException(404, "NotFound", "no OpenAPI document for " + gv);
    return doc;
  }

  /** The sandbox has no authorization: every review says yes. */
  private static ObjectNode allowEverything(ResourceType t, ObjectNode review) {
    review.put("apiVersion", t.apiVersion()).put("kind", t.kind());
    ObjectNode status = review.putObject("status");
    if (t.kind().equals("SelfSubjectAccessReview")) {
      status.put("allowed", true);
    } else {
      ObjectNode rule = status.putArray("resourceRules").addObject();
      rule.putArray("verbs").add("*");
      rule.putArray("apiGroups").add("*");
      rule.putArray("resources").add("*");
      status.putArray("nonResourceRules").addObject().putArray("verbs").add("*");
      status.put("incomplete", false);
    }
    return review;
  }

  // ---- plumbing ----

  private static boolean wantsTable(HttpServerRequest req) {
    String accept = req.getHeader("Accept");
    return accept != null && accept.contains("as=Table");
  }

  private static boolean isTrue(String v) {
    return "true".equals(v) || "1".equals(v);
  }

  private static JsonNode parseJson(Buffer body) {
    try {
      return ObjectStore.JSON.readTree(body.getBytes());
    } catch (IOException e) {
      throw ApiException.badRequest("request body is not JSON: " + e.getMessage());
    }
  }

  private static ObjectNode parseObject(Buffer body) {
    JsonNode n = parseJson(body);
    if (!(n instanceof ObjectNode o)) throw ApiException.badRequest("request body must be a JSON object");
    return o;
  }

  private static ObjectNode status(int code, String reason, String message) {
    ObjectNode s = ObjectStore.JSON.createObjectNode();
    s.put("kind", "Status").put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", code < 300 ? "Success" : "Failure").put("message", message).put("reason", reason).put("code", code);
    return s;
  }

  private static void error(HttpServerResponse resp, ApiException e) {
    json(resp, e.code(), status(e.code(), e.reason(), e.getMessage()));
  }

  private static void json(HttpServerResponse resp, int code, Object body) {
    if (resp.ended()) return;
    resp.setStatusCode(code).putHeader("Content-Type", "application/json").end(body.toString());
  }

}
