package io.etcdpilot.operator.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An etcd release version, MAJOR.MINOR.PATCH with an optional semver pre-release ({@code 3.6.0-rc.1}); a build
 * suffix ({@code +abc}) is accepted and ignored. Ordered as semver orders them: a pre-release comes before its
 * release. Members report versions like these, so parsing them must never fail a pass.
 */
public record EtcdVersion(int major, int minor, int patch, String preRelease) implements Comparable<EtcdVersion> {
  private static final Pattern FORMAT = Pattern.compile(
      "^v?(\\d+)\\.(\\d+)\\.(\\d+)(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+[0-9A-Za-z.-]+)?$");

  public EtcdVersion(int major, int minor, int patch) {
    this(major, minor, patch, null);
  }

  public static EtcdVersion parse(String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not an etcd version (MAJOR.MINOR.PATCH): '" + text + "'");
    }
    return new EtcdVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
        m.group(4));
  }

  /** The version, or empty when the text is not one (a custom build's version string, a tag like {@code latest}). */
  public static java.util.Optional<EtcdVersion> tryParse(String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
    return m.matches() ? java.util.Optional.of(parse(text)) : java.util.Optional.empty();
  }

  /** The version an image's tag names ({@code …/etcd:v3.6.16}), if it names one. */
  public static java.util.Optional<EtcdVersion> ofImageTag(String image) {
    if (image == null || image.lastIndexOf(':') < 0 || image.lastIndexOf(':') < image.lastIndexOf('/')) {
      return java.util.Optional.empty();
    }
    return tryParse(image.substring(image.lastIndexOf(':') + 1));
  }

  public boolean isMinor(int wantedMajor, int wantedMinor) {
    return major == wantedMajor && minor == wantedMinor;
  }

  public boolean isPreRelease() {
    return preRelease != null;
  }

  @Override
  public int compareTo(EtcdVersion o) {
    if (major != o.major) return Integer.compare(major, o.major);
    if (minor != o.minor) return Integer.compare(minor, o.minor);
    if (patch != o.patch) return Integer.compare(patch, o.patch);
    if (preRelease == null || o.preRelease == null) {
      return preRelease == null ? (o.preRelease == null ? 0 : 1) : -1;
    }
    return comparePreRelease(preRelease, o.preRelease);
  }

  /** Semver §11: dot-separated identifiers, numeric ones numerically and below alphanumeric ones, shorter first. */
  private static int comparePreRelease(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      boolean xn = x[i].chars().allMatch(Character::isDigit);
      boolean yn = y[i].chars().allMatch(Character::isDigit);
      int c = xn && yn ? new java.math.BigInteger(x[i]).compareTo(new java.math.BigInteger(y[i]))
          : xn ? -1 : yn ? 1 : x[i].compareTo(y[i]);
      if (c != 0) return c;
    }
    return Integer.compare(x.length, y.length);
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch + (preRelease == null ? "" : "-" + preRelease);
  }
}
