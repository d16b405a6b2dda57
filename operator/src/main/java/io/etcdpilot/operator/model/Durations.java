package io.etcdpilot.operator.model;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go-style durations as Kubernetes users write them: 8760h, 1h30m, 90s. */
public final class Durations {
  private static final Pattern WHOLE = Pattern.compile("^([0-9]+(\\.[0-9]+)?(h|m|s))+$");
  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(h|m|s)");

  private Durations() {}

  public static Duration parse(String text) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException("not a duration like 8760h or 1h30m: '" + text + "'");
    }
    double seconds = 0;
    Matcher m = PART.matcher(text);
    while (m.find()) {
      double v = Double.parseDouble(m.group(1));
      seconds += switch (m.group(2)) {
        case "h" -> v * 3600;
        case "m" -> v * 60;
        default -> v;
      };
    }
    return Duration.ofMillis(Math.round(seconds * 1000));
  }

  /** The short form for messages: 300s → "5m", 90s → "1m30s". */
  public static String format(Duration d) {
    long s = d.getSeconds();
    if (s >= 3600 && s % 3600 == 0) return (s / 3600) + "h";
    if (s >= 60) return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
    return s + "s";
  }
}
