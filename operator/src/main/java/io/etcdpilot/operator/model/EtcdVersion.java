package io.etcdpilot.operator.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An etcd release version, MAJOR.MINOR.PATCH. */
public record EtcdVersion(int major, int minor, int patch) implements Comparable<EtcdVersion> {
  private static final Pattern FORMAT = Pattern.compile("^v?(\\d+)\\.(\\d+)\\.(\\d+)$");

  public static EtcdVersion parse(String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not an etcd version (MAJOR.MINOR.PATCH): '" + text + "'");
    }
    return new EtcdVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
  }

  public boolean isMinor(int wantedMajor, int wantedMinor) {
    return major == wantedMajor && minor == wantedMinor;
  }

  @Override
  public int compareTo(EtcdVersion o) {
    if (major != o.major) return Integer.compare(major, o.major);
    if (minor != o.minor) return Integer.compare(minor, o.minor);
    return Integer.compare(patch, o.patch);
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
