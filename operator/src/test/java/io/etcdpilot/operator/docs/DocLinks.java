package io.etcdpilot.operator.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The repository's Markdown as GitHub renders it: a file's heading anchors, and where a relative link leads. */
public final class DocLinks {
  /** The repository's root, seen from a module's directory (where Maven runs its tests). */
  public static final Path ROOT = Path.of("..");
  private static final Pattern CODE_FENCE = Pattern.compile("^\\s*```");

  private DocLinks() {}

  /** GitHub's anchors of a file's headings: lower case, punctuation dropped, spaces to dashes. Fenced code skipped. */
  public static Set<String> anchors(Path markdown) throws IOException {
    boolean inCode = false;
    Set<String> out = new HashSet<>();
    for (String line : Files.readAllLines(markdown)) {
      if (CODE_FENCE.matcher(line).find()) inCode = !inCode;
      if (inCode || !line.startsWith("#")) continue;
      out.add(anchor(line.replaceFirst("^#+\\s*", "")));
    }
    return out;
  }

  static String anchor(String heading) {
    return heading.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
  }

  /** Why {@code link} (relative to {@code from}, as written in it) leads nowhere; null when it resolves. */
  public static String broken(Path from, String link) throws IOException {
    if (link.matches("^[a-z]+:.*")) return null; // http(s), mailto: not checked here
    String file = link.contains("#") ? link.substring(0, link.indexOf('#')) : link;
    String fragment = link.contains("#") ? link.substring(link.indexOf('#') + 1) : null;
    Path target = file.isEmpty() ? from : from.getParent().resolve(file).normalize();
    if (!Files.exists(target)) return "no file " + target;
    if (fragment == null || Files.isDirectory(target)) return null;
    return anchors(target).contains(fragment) ? null : "no heading #" + fragment + " in " + target;
  }

  /** Every relative Markdown link of a file, outside fenced code. */
  public static Set<String> links(Path markdown) throws IOException {
    Pattern link = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    boolean inCode = false;
    Set<String> out = new LinkedHashSet<>();
    for (String line : Files.readAllLines(markdown)) {
      if (CODE_FENCE.matcher(line).find()) inCode = !inCode;
      if (inCode) continue;
      Matcher m = link.matcher(line);
      while (m.find()) out.add(m.group(1));
    }
    return out.stream().filter(l -> !l.matches("^[a-z]+:.*")).collect(Collectors.toCollection(LinkedHashSet::new));
  }
}
