package io.etcdpilot.operator.upgrade;

import io.etcdpilot.operator.model.EtcdVersion;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The lowest patch of a minor from which etcd's own upgrade guide allows a rolling upgrade to the next minor. These
 * minimums move (3.5 → 3.6 said 3.5.20, then 3.5.24, 3.5.26, now 3.5.32), so they live here, once, with their source,
 * and the operator flag {@code --upgrade-minimum 3.5=3.5.26} overrides a row.
 */
public final class UpgradeMinimums {
  /**
   * minor left → lowest patch allowed to leave it. Sources, checked 2026-12-01:
   * 3.5: etcd.io/docs/v3.6/upgrades/upgrade_3_6 ("Update 3.5": 3.5.32 or later);
   * 3.6: etcd.io/docs/v3.7/upgrades/upgrade_3_7 ("Update 3.6": 3.6.11 or later).
   * 3.4 → 3.5 names no minimum patch.
   */
  private static final Map<String, String> GUIDE = Map.of("3.5", "3.5.32", "3.6", "3.6.11");

  private final Map<String, EtcdVersion> minimums;

  private UpgradeMinimums(Map<String, EtcdVersion> minimums) {
    this.minimums = minimums;
  }

  public static UpgradeMinimums guide() {
    return withOverrides(Map.of());
  }

  /** @param overrides minor ("3.5") → minimum patch ("3.5.26"); the patch must belong to that minor */
  public static UpgradeMinimums withOverrides(Map<String, String> overrides) {
    Map<String, EtcdVersion> m = new LinkedHashMap<>();
    GUIDE.forEach((minor, v) -> m.put(minor, EtcdVersion.parse(v)));
    overrides.forEach((minor, v) -> {
      EtcdVersion parsed = EtcdVersion.parse(v);
      if (!minor.equals(parsed.major() + "." + parsed.minor())) {
        throw new IllegalArgumentException("upgrade minimum " + minor + "=" + v + ": " + v + " is not a " + minor + " release");
      }
      m.put(minor, parsed);
    });
    return new UpgradeMinimums(Map.copyOf(m));
  }

  /** The minimum a member of {@code from}'s minor must run before the cluster moves to the next minor. */
  public Optional<EtcdVersion> toLeave(EtcdVersion from) {
    return Optional.ofNullable(minimums.get(from.major() + "." + from.minor()));
  }
}
