package io.etcdpilot.operator.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Creates or updates the operator's own objects against the live copy from the cache (never a GET). An object is
 * written when what the operator wants changed (the desired object's hash, kept in an annotation, differs) or when a
 * field it owns was changed by someone else (see {@link OwnedFields}): that is drift, reverted and reported. A steady
 * cluster causes no writes. Plain create/update (no server-side apply), the one write path for production and tests.
 */
class ObjectApplier {
  public static final String HASH_ANNOTATION = "etcdpilot.io/desired-hash";

  public enum Outcome { CREATED, UPDATED, DRIFT_REVERTED, UNCHANGED }

  /** What happened, the object as the API server now holds it, and the owned fields that had drifted. */
  public record Applied<T>(Outcome outcome, T object, List<String> drifted) {}

  private final KubernetesClient client;

  ObjectApplier(KubernetesClient client) {
    this.client = client;
  }

  <T extends HasMetadata> Applied<T> apply(T wanted, T live, KubeCache cache) {
    // The caller's object stays as rendered: what is sent also carries the hash and others' metadata.
    T desired = client.getKubernetesSerialization().clone(wanted);
    if (desired.getMetadata().getAnnotations() != null) desired.getMetadata().getAnnotations().remove(HASH_ANNOTATION);
    String hash = hash(desired);
    Map<String, String> annotations = desired.getMetadata().getAnnotations() == null ? new HashMap<>()
        : new HashMap<>(desired.getMetadata().getAnnotations());
    annotations.put(HASH_ANNOTATION, hash);
    desired.getMetadata().setAnnotations(annotations);

    if (live == null) {
      return new Applied<>(Outcome.CREATED, cache.write(client, desired, null), List.of());
    }
    Map<String, String> liveAnnotations = live.getMetadata().getAnnotations();
    boolean changed = liveAnnotations == null || !hash.equals(liveAnnotations.get(HASH_ANNOTATION));
    List<String> drifted = changed ? List.of() : OwnedFields.drifted(desired, live);
    if (!changed && drifted.isEmpty()) {
      return new Applied<>(Outcome.UNCHANGED, live, List.of());
    }
    keepServerAssigned(live, desired);
    keepForeignMetadata(live, desired);
    T written = cache.write(client, desired, live);
    return new Applied<>(changed ? Outcome.UPDATED : Outcome.DRIFT_REVERTED, written, drifted);
  }

  /** Fields the API server assigns and never lets a client change. */
  private static void keepServerAssigned(HasMetadata live, HasMetadata desired) {
    if (live instanceof Service e && desired instanceof Service d && e.getSpec() != null && d.getSpec() != null
        && !"None".equals(d.getSpec().getClusterIP())) {
      d.getSpec().setClusterIP(e.getSpec().getClusterIP());
      d.getSpec().setClusterIPs(e.getSpec().getClusterIPs());
    }
  }

  /** Labels and annotations other controllers and users put on the object are theirs: an update keeps them. */
  private static void keepForeignMetadata(HasMetadata live, HasMetadata desired) {
    desired.getMetadata().setLabels(merged(live.getMetadata().getLabels(), desired.getMetadata().getLabels()));
    desired.getMetadata().setAnnotations(merged(live.getMetadata().getAnnotations(), desired.getMetadata().getAnnotations()));
    if (desired.getMetadata().getFinalizers() == null || desired.getMetadata().getFinalizers().isEmpty()) {
      desired.getMetadata().setFinalizers(live.getMetadata().getFinalizers());
    }
  }

  private static Map<String, String> merged(Map<String, String> live, Map<String, String> ours) {
    Map<String, String> m = new HashMap<>(live == null ? Map.of() : live);
    if (ours != null) m.putAll(ours);
    return m.isEmpty() ? null : m;
  }

  static String hash(HasMetadata desired) {
    try {
      byte[] json = Serialization.asJson(desired).getBytes(StandardCharsets.UTF_8);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json)).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
