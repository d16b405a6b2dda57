package io.etcdpilot.operator.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** The API server's refusal to create objects in a namespace that is being deleted. */
public final class NamespaceTerminating {
  /** The cause type the API server's namespace lifecycle admission names (403, field metadata.namespace). */
  static final String CAUSE = "NamespaceTerminating";

  private NamespaceTerminating() {}

  public static boolean causeOf(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() == 403 && k.getStatus() != null
          && k.getStatus().getDetails() != null && k.getStatus().getDetails().getCauses() != null
          && k.getStatus().getDetails().getCauses().stream().anyMatch(c -> CAUSE.equals(c.getReason()))) {
        return true;
      }
    }
    return false;
  }
}
