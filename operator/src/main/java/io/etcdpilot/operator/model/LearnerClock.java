package io.etcdpilot.operator.model;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * When the current learner was added, kept in the cluster-state ConfigMap as {@code <member>@<instant>} and written
 * in the same write as the join list, before etcd is asked to add it. The learner's deadline counts from here: a
 * status write that is lost (a conflict) cannot move it, as it could when it was read from {@code status.operation}.
 */
public final class LearnerClock {
  public static final String KEY = "learner-added";

  private LearnerClock() {}

  public static String record(String member, Instant added) {
    return member + "@" + added;
  }

  /** When {@code member} was added, if the record names it. */
  public static Optional<Instant> addedAt(String record, String member) {
    if (record == null || member == null || !record.startsWith(member + "@")) return Optional.empty();
    try {
      return Optional.of(Instant.parse(record.substring(member.length() + 1)));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
