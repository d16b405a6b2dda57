package io.etcdpilot.operator.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Deletes a pod only if it is still the very pod decided on (a UID precondition). A StatefulSet recreates a pod under
 * the same name within milliseconds, so a delete by name decided from a slightly stale cache can take down the new,
 * healthy member instead. fabric8 has no preconditions on delete, so the DeleteOptions are sent as the API defines them.
 */
public final class PodDeletion {
  private PodDeletion() {}

  /** What happened: deleted (or being deleted), already gone, or the name now belongs to another pod. */
  public enum Outcome { DELETED, GONE, REPLACED }

  /** @param graceSeconds null for the pod's own terminationGracePeriodSeconds */
  public static Outcome deleteIfSame(KubernetesClient client, Pod pod, Long graceSeconds) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    String url = client.getMasterUrl().toString().replaceAll("/$", "") + "/api/v1/namespaces/" + ns + "/pods/" + name;
    String options = "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\","
        + (graceSeconds == null ? "" : "\"gracePeriodSeconds\":" + graceSeconds + ",")
        + "\"preconditions\":{\"uid\":\"" + pod.getMetadata().getUid() + "\"}}";
    try {
      var response = client.getHttpClient().sendAsync(client.getHttpClient().newHttpRequestBuilder().uri(url)
          .delete("application/json", options).build(), String.class).get(30, TimeUnit.SECONDS);
      return switch (response.code()) {
        case 200, 202 -> Outcome.DELETED;
        case 404 -> Outcome.GONE;
        case 409 -> Outcome.REPLACED;
        default -> throw new KubernetesClientException("deleting pod " + ns + "/" + name + ": HTTP " + response.code()
            + " " + response.body(), response.code(), null);
      };
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesClientException("interrupted while deleting pod " + ns + "/" + name, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new KubernetesClientException("deleting pod " + ns + "/" + name + ": " + e, e);
    }
  }
}
