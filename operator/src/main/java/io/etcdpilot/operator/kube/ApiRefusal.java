package io.etcdpilot.operator.kube;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The API server saying no to a write for a reason that will not go away by retrying at once: the object is invalid
 * (422, 400), or an admission webhook, a policy or a quota forbids it (403). Told in the API server's own words,
 * with the field when it names one. A namespace being deleted is not one of these (nothing is to be written there).
 */
public final class ApiRefusal {
  private ApiRefusal() {}

  /** What the API server said, when the exception is such a refusal. */
  public static Optional<String> explain(KubernetesClientException e) {
    int code = e.getCode();
    if (code != 400 && code != 403 && code != 422) return Optional.empty();
    if (NamespaceTerminating.causeOf(e)) return Optional.empty();
    Status status = e.getStatus();
    String message = status != null && status.getMessage() != null ? status.getMessage() : e.getMessage();
    List<StatusCause> causes = status == null || status.getDetails() == null || status.getDetails().getCauses() == null
        ? List.of() : status.getDetails().getCauses();
    String fields = causes.stream().map(StatusCause::getField).filter(f -> f != null && !f.isBlank()).distinct()
        .collect(Collectors.joining(", "));
    return Optional.of("HTTP " + code + (fields.isEmpty() ? "" : " (" + fields + ")") + ": " + message);
  }
}
