package io.etcdpilot.operator.cluster;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fault-injection seam for crash-safety tests: with ETCDPILOT_TEST_CRASH_AFTER=add-learner,promote,remove-member
 * (any subset) the process halts right after that etcd change succeeded, as a killed operator would, before
 * recording anything else. Unset in production: every check is a set lookup on an empty set.
 */
public final class CrashPoints {
  private static final Logger log = LoggerFactory.getLogger(CrashPoints.class);
  public static final String ENV = "ETCDPILOT_TEST_CRASH_AFTER";
  private static final Set<String> ARMED = parse(System.getenv(ENV));

  private CrashPoints() {}

  static Set<String> parse(String value) {
    if (value == null || value.isBlank()) return Set.of();
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
  }

  public static void after(String point) {
    if (ARMED.contains(point)) {
      log.warn("{}={}: halting right after {}", ENV, ARMED, point);
      Runtime.getRuntime().halt(137);
    }
  }
}
