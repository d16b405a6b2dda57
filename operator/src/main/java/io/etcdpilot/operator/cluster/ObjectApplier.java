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
import java.util.Map;

/**
 * Creates or updates the operator's own objects. An object is written only when what the operator wants
 * changed: the desired object's hash is stored in an annotation and compared on every reconcile. This
 * ignores fields the API server defaults, so a steady cluster causes no writes, and it uses plain
 * create/update (no server-side apply), the one write path for production and tests.
 */
public class ObjectApplier {
  public static final String HASH_ANNOTATION = "etcdpilot.io/desired-hash";

  public enum Outcome { CREATED, UPDATED, UNCHANGED }

  /** What happened, and the object as the API server now holds it (no need to read it again). */
  public record Applied<T>(Outcome outcome, T object) {}

  private final KubernetesClient client;

  public ObjectApplier(KubernetesClient client) {
    this.client = client;
  }

  public <T extends HasMetadata> Applied<T> apply(T desired) {
    String hash = hash(desired);
    Map<String, String> annotations = desired.getMetadata().getAnnotations() == null ? new HashMap<>()
        : new HashMap<>(desired.getMetadata().getAnnotations());
    annotations.put(HASH_ANNOTATION, hash);
    desired.getMetadata().setAnnotations(annotations);

    T existing = client.resource(desired).get();
    if (existing == null) {
      return new Applied<>(Outcome.CREATED, client.resource(desired).create());
    }
    Map<String, String> existingAnnotations = existing.getMetadata().getAnnotations();
    if (existingAnnotations != null && hash.equals(existingAnnotations.get(HASH_ANNOTATION))) {
      return new Applied<>(Outcome.UNCHANGED, existing);
    }
    desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
    keepImmutableFields(existing, desired);
    return new Applied<>(Outcome.UPDATED, client.resource(desired).update());
  }

  /** Fields the API server assigns and never lets a client change. */
  private static void keepImmutableFields(HasMetadata existing, HasMetadata desired) {
    if (existing instanceof Service e && desired instanceof Service d && e.getSpec() != null && d.getSpec() != null
        && !"None".equals(d.getSpec().getClusterIP())) {
      d.getSpec().setClusterIP(e.getSpec().getClusterIP());
      d.getSpec().setClusterIPs(e.getSpec().getClusterIPs());
    }
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
