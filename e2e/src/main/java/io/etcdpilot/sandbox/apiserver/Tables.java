package io.etcdpilot.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcdpilot.sandbox.apiserver.ResourceType.PrinterColumn;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Server-side printing (meta.k8s.io/v1 Table), which `kubectl get` asks for. */
public final class Tables {
  private Tables() {}

  public static ObjectNode table(ResourceType t, List<ObjectNode> objects, String resourceVersion) {
    ObjectNode table = ObjectStore.JSON.createObjectNode();
    table.put("kind", "Table");
    table.put("apiVersion", "meta.k8s.io/v1");
    table.putObject("metadata").put("resourceVersion", resourceVersion);
    ArrayNode defs = table.putArray("columnDefinitions");
    List<Column> columns = columns(t);
    for (Column c : columns) {
      defs.addObject().put("name", c.name).put("type", c.type).put("format", c.name.equals("Name") ? "name" : "")
          .put("description", c.name).put("priority", c.priority);
    }
    ArrayNode rows = table.putArray("rows");
    for (ObjectNode o : objects) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      for (Column c : columns) {
        cells.add(c.cell(o));
      }
      ObjectNode partial = row.putObject("object");
      partial.put("kind", "PartialObjectMetadata");
      partial.put("apiVersion", "meta.k8s.io/v1");
      partial.set("metadata", o.path("metadata").deepCopy());
    }
    return table;
  }

  private interface Cell {
    JsonNode of(ObjectNode o);
  }

  private record Column(String name, String type, int priority, Cell cell) {
    JsonNode cell(ObjectNode o) {
      JsonNode v = cell.of(o);
      return v == null || v.isMissingNode() || v.isNull() ? ObjectStore.JSON.getNodeFactory().textNode("") : v;
    }
  }

  private static JsonNode text(String s) {
    return ObjectStore.JSON.getNodeFactory().textNode(s);
  }

  private static JsonNode number(long n) {
    return ObjectStore.JSON.getNodeFactory().numberNode(n);
  }

  private static List<Column> columns(ResourceType t) {
    List<Column> c = new ArrayList<>();
    c.add(new Column("Name", "string", 0, o -> o.path("metadata").path("name")));
    switch (t.kind()) {
      case "Pod" -> {
        c.add(new Column("Ready", "string", 0, Tables::podReady));
        c.add(new Column("Status", "string", 0, Tables::podStatus));
        c.add(new Column("Restarts", "integer", 0, o -> {
          long r = 0;
          for (JsonNode s : o.path("status").path("containerStatuses")) r += s.path("restartCount").asLong();
          return number(r);
        }));
        c.add(age());
        c.add(new Column("IP", "string", 1, o -> o.path("status").path("podIP")));
        c.add(new Column("Node", "string", 1, o -> o.path("spec").path("nodeName")));
      }
      case "StatefulSet" -> {
        c.add(new Column("Ready", "string", 0, o -> text(o.path("status").path("readyReplicas").asLong(0) + "/"
            + o.path("spec").path("replicas").asLong(1))));
        c.add(age());
      }
      case "Service" -> {
        c.add(new Column("Type", "string", 0, o -> o.path("spec").path("type").isMissingNode() ? text("ClusterIP")
            : o.path("spec").path("type")));
        c.add(new Column("Cluster-IP", "string", 0, o -> o.path("spec").path("clusterIP")));
        c.add(new Column("Ports", "string", 0, o -> {
          List<String> ports = new ArrayList<>();
          for (JsonNode p : o.path("spec").path("ports")) ports.add(p.path("port").asText() + "/" + p.path("protocol").asText("TCP"));
          return text(String.join(",", ports));
        }));
        c.add(age());
      }
      case "ConfigMap", "Secret" -> {
        if (t.kind().equals("Secret")) c.add(new Column("Type", "string", 0, o -> o.path("type")));
        c.add(new Column("Data", "integer", 0, o -> number(o.path("data").size())));
        c.add(age());
      }
      case "Event" -> {
        c.clear();
        c.add(new Column("Last Seen", "string", 0, o -> text(since(o.path("lastTimestamp").asText(
            o.path("metadata").path("creationTimestamp").asText())))));
        c.add(new Column("Type", "string", 0, o -> o.path("type")));
        c.add(new Column("Reason", "string", 0, o -> o.path("reason")));
        c.add(new Column("Object", "string", 0, o -> text(o.path("involvedObject").path("kind").asText().toLowerCase()
            + "/" + o.path("involvedObject").path("name").asText())));
        c.add(new Column("Message", "string", 0, o -> o.path("message")));
        c.add(new Column("Name", "string", 1, o -> o.path("metadata").path("name")));
      }
      default -> {
        for (PrinterColumn pc : t.columns()) {
          if (pc.type().equals("date")) {
            c.add(new Column(pc.name(), "string", pc.priority(), o -> {
              JsonNode v = SimpleJsonPath.eval(o, pc.jsonPath());
              return v.isMissingNode() ? v : text(since(v.asText()));
            }));
          } else {
            c.add(new Column(pc.name(), pc.type(), pc.priority(), o -> {
              JsonNode v = SimpleJsonPath.eval(o, pc.jsonPath());
              return v.isContainerNode() ? text(v.toString()) : v;
            }));
          }
        }
        if (t.columns().stream().noneMatch(pc -> pc.type().equals("date"))) c.add(age());
      }
    }
    return c;
  }

  private static Column age() {
    return new Column("Age", "string", 0, o -> text(since(o.path("metadata").path("creationTimestamp").asText())));
  }

  private static JsonNode podReady(ObjectNode o) {
    int total = o.path("spec").path("containers").size();
    int ready = 0;
    for (JsonNode s : o.path("status").path("containerStatuses")) if (s.path("ready").asBoolean()) ready++;
    return text(ready + "/" + total);
  }

  private static JsonNode podStatus(ObjectNode o) {
    if (o.path("metadata").has("deletionTimestamp")) return text("Terminating");
    for (JsonNode s : o.path("status").path("containerStatuses")) {
      if (s.path("state").has("waiting")) return s.path("state").path("waiting").path("reason");
      if (s.path("state").has("terminated")) return s.path("state").path("terminated").path("reason");
    }
    return o.path("status").path("phase").isMissingNode() ? text("Pending") : o.path("status").path("phase");
  }

  /** Age the way kubectl prints it: 45s, 3m12s, 5h, 2d. */
  static String since(String timestamp) {
    if (timestamp == null || timestamp.isEmpty()) return "<unknown>";
    Duration d;
    try {
      d = Duration.between(Instant.parse(timestamp), Instant.now());
    } catch (RuntimeException e) {
      return "<unknown>";
    }
    long s = Math.max(0, d.getSeconds());
    if (s < 120) return s + "s";
    if (s < 600) return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
    if (s < 3 * 3600) return (s / 60) + "m";
    if (s < 48 * 3600) return (s / 3600) + "h";
    return (s / 86400) + "d";
  }
}
