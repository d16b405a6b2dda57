package io.etcdpilot.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** metav1.Condition bookkeeping: lastTransitionTime moves only when the status itself flips. */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";
  public static final String SIZE_WARNING = "SizeWarning";
  public static final String TLS_DISABLED = "TLSDisabled";
  /** Present (True) only while a member's defragmentations keep failing or the defragmentation rule fails. */
  public static final String DEFRAG_FAILING = "DefragFailing";
  /** Present (True) only while a member's WAL fsyncs are too slow for etcd. */
  public static final String DISK_TOO_SLOW = "DiskTooSlow";

  private Conditions() {}

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  /**
   * Returns the condition to store: a new one, or the previous one with its transition time kept when the
   * status did not change.
   */
  public static Condition next(List<Condition> previous, String type, boolean status, String reason, String message,
      Long generation, Instant now) {
    return next(previous, type, status ? "True" : "False", reason, message, generation, now);
  }

  /** As {@link #next(List, String, boolean, String, String, Long, Instant)}, for True, False or Unknown. */
  public static Condition next(List<Condition> previous, String type, String s, String reason, String message,
      Long generation, Instant now) {
    Optional<Condition> old = find(previous, type);
    String transition = old.filter(c -> s.equals(c.getStatus())).map(Condition::getLastTransitionTime)
        .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
    return new ConditionBuilder()
        .withType(type)
        .withStatus(s)
        .withReason(reason)
        .withMessage(message == null ? "" : message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(transition)
        .build();
  }

}
