package io.etcdpilot.operator.kube;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events about an EtcdCluster, for `kubectl describe`. Failures are logged, never fatal. A Warning
 * repeated word for word about the same object within {@link #REPEAT_WINDOW} (a retry loop saying the same thing every
 * few seconds) is logged but not written again: one Event says it, and the log keeps the count.
 */
public class EventRecorder {
  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
  static final java.time.Duration REPEAT_WINDOW = java.time.Duration.ofMinutes(10);
  private static final int MAX_REMEMBERED = 10_000;
  private final KubernetesClient client;
  private final java.time.Clock clock;
  private final java.util.Map<String, Instant> warned = new java.util.concurrent.ConcurrentHashMap<>();

  public EventRecorder(KubernetesClient client) {
    this(client, java.time.Clock.systemUTC());
  }

  EventRecorder(KubernetesClient client, java.time.Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** Writes the Events a pass collected, in order. */
  public void record(HasMetadata about, PassEvents events) {
    for (PassEvents.Entry e : events.entries()) {
      if (e.warning()) warning(about, e.reason(), e.message());
      else normal(about, e.reason(), e.message());
    }
  }

  public void normal(HasMetadata about, String reason, String message) {
    record(about, "Normal", reason, message);
  }

  public void warning(HasMetadata about, String reason, String message) {
    Instant now = clock.instant();
    String key = about.getMetadata().getUid() + "/" + about.getMetadata().getNamespace() + "/"
        + about.getMetadata().getName() + "/" + reason + "/" + message;
    Instant last = warned.get(key);
    if (last != null && now.isBefore(last.plus(REPEAT_WINDOW))) {
      log.info("{}/{}: {} {} (repeated; Event written at {})", about.getMetadata().getNamespace(),
          about.getMetadata().getName(), reason, message, last);
      return;
    }
    if (warned.size() >= MAX_REMEMBERED) warned.values().removeIf(t -> !now.isBefore(t.plus(REPEAT_WINDOW)));
    if (warned.size() >= MAX_REMEMBERED) warned.clear();
    warned.put(key, now);
    record(about, "Warning", reason, message);
  }

  private void record(HasMetadata about, String type, String reason, String message) {
    log.info("{}/{}: {} {}", about.getMetadata().getNamespace(), about.getMetadata().getName(), reason, message);
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    try {
      client.v1().events().inNamespace(about.getMetadata().getNamespace()).resource(new EventBuilder()
          .withNewMetadata()
            .withName(about.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
            .withNamespace(about.getMetadata().getNamespace())
          .endMetadata()
          .withInvolvedObject(new ObjectReferenceBuilder()
              .withApiVersion(about.getApiVersion()).withKind(about.getKind())
              .withName(about.getMetadata().getName()).withNamespace(about.getMetadata().getNamespace())
              .withUid(about.getMetadata().getUid()).build())
          .withType(type)
          .withReason(reason)
          .withMessage(message)
          .withFirstTimestamp(now)
          .withLastTimestamp(now)
          .withCount(1)
          .withNewSource().withComponent("etcdpilot").endSource()
          .withReportingComponent("etcdpilot")
          .build()).create();
    } catch (RuntimeException e) {
      // A namespace being deleted takes no new objects, events included: nothing to tell anyone there.
      if (NamespaceTerminating.causeOf(e)) return;
      log.warn("could not record event {}: {}", reason, e.getMessage());
    }
  }
}
