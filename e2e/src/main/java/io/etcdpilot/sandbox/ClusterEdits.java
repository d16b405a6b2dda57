package io.etcdpilot.sandbox;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/** Edits of an EtcdCluster as a person makes them with {@code kubectl edit}, for the tests and the soak. */
public final class ClusterEdits {
  private static final Duration RETRY_FOR = Duration.ofSeconds(30);

  private ClusterEdits() {}

  /**
   * Reads the cluster, changes it and writes it with the resourceVersion read; when the operator's status write came
   * in between (409), reads and changes it again, for up to 30 s.
   */
  public static void edit(KubernetesClient client, String ns, String name, Consumer<EtcdCluster> change)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(RETRY_FOR);
    while (true) {
      try {
        client.resources(EtcdCluster.class).inNamespace(ns).withName(name).edit(c -> {
          change.accept(c);
          return c;
        });
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || Instant.now().isAfter(deadline)) throw e;
        Thread.sleep(200);
      }
    }
  }
}
