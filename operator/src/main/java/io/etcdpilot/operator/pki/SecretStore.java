package io.etcdpilot.operator.pki;

import io.fabric8.kubernetes.api.model.Secret;

/** Where certificates are kept: the cluster's own Secrets (read from a cache), and a CA Secret the user names. */
public interface SecretStore {
  /** One of the operator's own Secrets for this cluster; null when it does not exist. */
  Secret owned(String name);

  /** A Secret the user manages (their CA); null when it does not exist. */
  Secret userProvided(String name);

  /** Creates or replaces one of the operator's own Secrets ({@code live} is its current copy, or null). */
  void write(Secret desired, Secret live);
}
