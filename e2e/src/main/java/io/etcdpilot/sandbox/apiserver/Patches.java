package io.etcdpilot.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The three patch formats kubectl and client libraries send: JSON patch, merge patch, strategic merge patch. */
public final class Patches {
  /** List fields whose elements strategic merge matches by a key instead of replacing the list. */
  private static final List<String> MERGE_KEYS = List.of("name", "containerPort", "port", "mountPath", "type", "key", "ip");

  private Patches() {}

  public static ObjectNode apply(String contentType, ObjectNode target, JsonNode patch) {
    String ct = contentType == null ? "" : contentType.toLowerCase();
    if (ct.startsWith("application/json-patch+json")) return (ObjectNode) jsonPatch(target, patch);
    if (ct.startsWith("application/merge-patch+json")) return (ObjectNode) merge(target, patch, false);
    if (ct.startsWith("application/strategic-merge-patch+json")) return (ObjectNode) merge(target, patch, true);
    if (ct.startsWith("application/apply-patch")) {
      throw new ApiException(415, "UnsupportedMediaType",
          "the sandbox API server does not implement server-side apply; use client-side apply (kubectl apply without --server-side)");
    }
    throw new ApiException(415, "UnsupportedMediaType", "unsupported patch type: " + contentType);
  }

  /** RFC 7386, plus (when strategic) list merging by key and the $patch/$retainKeys/$setElementOrder directives. */
  static JsonNode merge(JsonNode target, JsonNode patch, boolean strategic) {
    if (!patch.isObject()) return patch.deepCopy();
    ObjectNode result = target != null && target.isObject() ? (ObjectNode) target.deepCopy() : ObjectNode.class.cast(
        ObjectStore.JSON.createObjectNode());
    if (strategic && "replace".equals(patch.path("$patch").asText())) {
      ObjectNode copy = (ObjectNode) patch.deepCopy();
      copy.remove("$patch");
      return copy;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      JsonNode v = e.getValue();
      if (strategic && k.startsWith("$")) continue;
      if (strategic && k.startsWith("$setElementOrder/")) continue;
      if (v.isNull()) {
        result.remove(k);
      } else if (strategic && v.isArray() && result.path(k).isArray()) {
        result.set(k, mergeList((ArrayNode) result.get(k), (ArrayNode) v));
      } else if (v.isObject()) {
        result.set(k, merge(result.get(k), v, strategic));
      } else {
        result.set(k, v.deepCopy());
      }
    }
    return result;
  }

  private static JsonNode mergeList(ArrayNode current, ArrayNode patch) {
    String key = mergeKey(current, patch);
    if (key == null) {
      ArrayNode copy = patch.deepCopy();
      for (Iterator<JsonNode> it = copy.iterator(); it.hasNext(); ) {
        if (it.next().has("$patch")) it.remove();
      }
      return copy;
    }
    ArrayNode result = current.deepCopy();
    for (JsonNode p : patch) {
      String id = p.path(key).asText();
      int index = -1;
      for (int i = 0; i < result.size(); i++) {
        if (id.equals(result.get(i).path(key).asText())) index = i;
      }
      if ("delete".equals(p.path("$patch").asText())) {
        if (index >= 0) result.remove(index);
      } else if (index >= 0) {
        result.set(index, merge(result.get(index), p, true));
      } else {
        result.add(merge(null, p, true));
      }
    }
    return result;
  }

  private static String mergeKey(ArrayNode a, ArrayNode b) {
    for (String key : MERGE_KEYS) {
      boolean all = a.size() + b.size() > 0;
      for (JsonNode n : a) all &= n.isObject() && n.has(key);
      for (JsonNode n : b) all &= n.isObject() && (n.has(key));
      if (all) return key;
    }
    return null;
  }

  /** RFC 6902. */
  static JsonNode jsonPatch(JsonNode target, JsonNode ops) {
    JsonNode doc = target.deepCopy();
    for (JsonNode op : ops) {
      String kind = op.path("op").asText();
      String path = op.path("path").asText();
      switch (kind) {
        case "add" -> doc = put(doc, path, op.get("value").deepCopy(), true);
        case "replace" -> doc = put(doc, path, op.get("value").deepCopy(), false);
        case "remove" -> removeAt(doc, path);
        case "test" -> {
          if (!resolve(doc, path).equals(op.get("value"))) {
            throw new ApiException(422, "Invalid", "json patch test failed at " + path);
          }
        }
        case "copy" -> doc = put(doc, path, resolve(doc, op.path("from").asText()).deepCopy(), true);
        case "move" -> {
          JsonNode v = resolve(doc, op.path("from").asText()).deepCopy();
          removeAt(doc, op.path("from").asText());
          doc = put(doc, path, v, true);
        }
        default -> throw ApiException.badRequest("unknown json patch op " + kind);
      }
    }
    return doc;
  }

  private static String[] tokens(String path) {
    if (path.isEmpty()) return new String[0];
    String[] t = path.substring(1).split("/", -1);
    for (int i = 0; i < t.length; i++) t[i] = t[i].replace("~1", "/").replace("~0", "~");
    return t;
  }

  private static JsonNode resolve(JsonNode doc, String path) {
    JsonNode n = doc;
    for (String t : tokens(path)) {
      n = n.isArray() ? n.path(Integer.parseInt(t)) : n.path(t);
    }
    if (n.isMissingNode()) throw new ApiException(422, "Invalid", "json patch path not found: " + path);
    return n;
  }

  private static JsonNode put(JsonNode doc, String path, JsonNode value, boolean insert) {
    String[] t = tokens(path);
    if (t.length == 0) return value;
    JsonNode parent = doc;
    for (int i = 0; i < t.length - 1; i++) {
      parent = parent.isArray() ? parent.path(Integer.parseInt(t[i])) : parent.path(t[i]);
    }
    String last = t[t.length - 1];
    if (parent instanceof ArrayNode arr) {
      if (last.equals("-")) arr.add(value);
      else if (insert) arr.insert(Integer.parseInt(last), value);
      else arr.set(Integer.parseInt(last), value);
    } else if (parent instanceof ObjectNode obj) {
      if (!insert && !obj.has(last)) throw new ApiException(422, "Invalid", "json patch path not found: " + path);
      obj.set(last, value);
    } else {
      throw new ApiException(422, "Invalid", "json patch parent not found: " + path);
    }
    return doc;
  }

  private static void removeAt(JsonNode doc, String path) {
    String[] t = tokens(path);
    JsonNode parent = doc;
    for (int i = 0; i < t.length - 1; i++) {
      parent = parent.isArray() ? parent.path(Integer.parseInt(t[i])) : parent.path(t[i]);
    }
    String last = t[t.length - 1];
    if (parent instanceof ArrayNode arr) arr.remove(Integer.parseInt(last));
    else if (parent instanceof ObjectNode obj && obj.has(last)) obj.remove(last);
    else throw new ApiException(422, "Invalid", "json patch path not found: " + path);
  }
}
