package io.etcdpilot.operator.kube;

import java.util.ArrayList;
import java.util.List;

/**
 * The Events one reconcile pass decided on, as data and in order. Stages add to it; the reconciler hands it to
 * {@link EventRecorder#record} once, at the end of the pass (also when the pass fails part way, so what was done is
 * still told).
 */
public final class PassEvents {
  /** One Event: Normal or Warning, its reason and message. */
  public record Entry(boolean warning, String reason, String message) {}

  private final List<Entry> entries = new ArrayList<>();

  public void normal(String reason, String message) {
    entries.add(new Entry(false, reason, message));
  }

  public void warning(String reason, String message) {
    entries.add(new Entry(true, reason, message));
  }

  public List<Entry> entries() {
    return List.copyOf(entries);
  }

  /** The reasons so far, in order (for tests and logs). */
  public List<String> reasons() {
    return entries.stream().map(Entry::reason).toList();
  }
}
