package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.pki.SecretStore;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The certificate Secrets through the informer cache. A user's CA Secret carries none of our labels, so no informer
 * holds it: it is the one object read from the API server, and only for clusters that name one.
 */
final class CachedSecrets implements SecretStore {
  private final KubernetesClient client;
  private final KubeCache cache;
  private final String namespace;

  CachedSecrets(KubernetesClient client, KubeCache cache, String namespace) {
    this.client = client;
    this.cache = cache;
    this.namespace = namespace;
  }

  @Override
  public Secret owned(String name) {
    return cache.get(Secret.class, name).orElse(null);
  }

  @Override
  public Secret userProvided(String name) {
    return client.secrets().inNamespace(namespace).withName(name).get();
  }

  @Override
  public void write(Secret desired, Secret live) {
    cache.write(client, desired, live);
  }
}
