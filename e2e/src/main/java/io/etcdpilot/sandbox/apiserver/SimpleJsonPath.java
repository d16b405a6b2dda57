package io.etcdpilot.sandbox.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The subset of JSONPath printer columns use: .a.b, .a[0], .a[?(@.k=="v")].b */
public final class SimpleJsonPath {
  private static final Pattern FILTER = Pattern.compile("^\\[\\?\\(@\\.([\\w.-]+)\\s*==\\s*[\"']([^\"']*)[\"']\\)\\]");
  private static final Pattern INDEX = Pattern.compile("^\\[(\\d+)\\]");
  private static final Pattern FIELD = Pattern.compile("^\\.([\\w-]+)");

  private SimpleJsonPath() {}

  public static JsonNode eval(JsonNode root, String path) {
    List<JsonNode> current = new ArrayList<>(List.of(root));
    String rest = path.trim();
    if (rest.startsWith("{") && rest.endsWith("}")) rest = rest.substring(1, rest.length() - 1);
    while (!rest.isEmpty()) {
      Matcher m;
      List<JsonNode> next = new ArrayList<>();
      if ((m = FIELD.matcher(rest)).find()) {
        for (JsonNode n : current) if (n.has(m.group(1))) next.add(n.get(m.group(1)));
      } else if ((m = INDEX.matcher(rest)).find()) {
        int i = Integer.parseInt(m.group(1));
        for (JsonNode n : current) if (n.isArray() && n.size() > i) next.add(n.get(i));
      } else if ((m = FILTER.matcher(rest)).find()) {
        String[] keyPath = m.group(1).split("\\.");
        String want = m.group(2);
        for (JsonNode n : current) {
          for (JsonNode e : n) {
            JsonNode v = e;
            for (String k : keyPath) v = v.path(k);
            if (want.equals(v.asText())) next.add(e);
          }
        }
      } else {
        return MissingNode.getInstance();
      }
      rest = rest.substring(m.end());
      current = next;
    }
    return current.isEmpty() ? MissingNode.getInstance() : current.get(0);
  }
}
