package io.etcdpilot.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Kubernetes label selectors (=, ==, !=, in, notin, exists, !exists) and field selectors (=, ==, !=). */
public final class Selectors {
  private Selectors() {}

  public static Predicate<JsonNode> labels(String selector) {
    if (selector == null || selector.isBlank()) return o -> true;
    List<Predicate<JsonNode>> parts = new ArrayList<>();
    for (String term : splitTerms(selector)) {
      String t = term.trim();
      if (t.isEmpty()) continue;
      Predicate<JsonNode> p;
      if (t.matches("^[^\\s!=]+\\s+notin\\s+\\(.*\\)$")) {
        String key = t.substring(0, t.indexOf(' '));
        Set<String> values = values(t);
        p = o -> !values.contains(label(o, key));
      } else if (t.matches("^[^\\s!=]+\\s+in\\s+\\(.*\\)$")) {
        String key = t.substring(0, t.indexOf(' '));
        Set<String> values = values(t);
        p = o -> values.contains(label(o, key));
      } else if (t.contains("!=")) {
        String[] kv = t.split("!=", 2);
        p = o -> !kv[1].trim().equals(label(o, kv[0].trim()));
      } else if (t.contains("=")) {
        String[] kv = t.split("==?", 2);
        p = o -> kv[1].trim().equals(label(o, kv[0].trim()));
      } else if (t.startsWith("!")) {
        String key = t.substring(1).trim();
        p = o -> label(o, key) == null;
      } else {
        p = o -> label(o, t) != null;
      }
      parts.add(p);
    }
    return o -> parts.stream().allMatch(p -> p.test(o));
  }

  public static Predicate<JsonNode> fields(String selector) {
    if (selector == null || selector.isBlank()) return o -> true;
    List<Predicate<JsonNode>> parts = new ArrayList<>();
    for (String term : selector.split(",")) {
      String t = term.trim();
      if (t.isEmpty()) continue;
      boolean negate = t.contains("!=");
      String[] kv = negate ? t.split("!=", 2) : t.split("==?", 2);
      if (kv.length != 2) throw ApiException.badRequest("invalid field selector: " + t);
      String path = kv[0].trim();
      String want = kv[1].trim();
      parts.add(o -> negate != want.equals(field(o, path)));
    }
    return o -> parts.stream().allMatch(p -> p.test(o));
  }

  private static String field(JsonNode o, String path) {
    JsonNode n = o;
    for (String part : path.split("\\.")) n = n.path(part);
    return n.isMissingNode() || n.isNull() ? "" : n.asText();
  }

  private static String label(JsonNode o, String key) {
    JsonNode v = o.path("metadata").path("labels").get(key);
    return v == null ? null : v.asText();
  }

  private static Set<String> values(String term) {
    String inner = term.substring(term.indexOf('(') + 1, term.lastIndexOf(')'));
    return Arrays.stream(inner.split(",")).map(String::trim).collect(Collectors.toSet());
  }

  /** Splits on commas that are not inside parentheses. */
  private static List<String> splitTerms(String s) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    StringBuilder cur = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '(') depth++;
      if (c == ')') depth--;
      if (c == ',' && depth == 0) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }
}
