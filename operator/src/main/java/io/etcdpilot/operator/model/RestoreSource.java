package io.etcdpilot.operator.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdpilot.operator.api.v1alpha1.S3Destination;
import java.io.IOException;
import java.util.Optional;

/**
 * Where a new cluster's founding members fetch their snapshot from: the store, the manifest's key, and the Secrets
 * with the store's credentials and (when the snapshot is encrypted) the keyset. Resolved once from
 * {@code spec.bootstrap.fromSnapshot}; rendered into the members' restore steps and kept, as JSON, in the
 * cluster-state ConfigMap.
 */
public record RestoreSource(S3Destination store, String manifestKey, String keySecretName) {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** The manifest's key from the data object's: {@code <prefix>/<name>.db[.zst|.gz][.enc]} → {@code <prefix>/<name>.json}. */
  public static String manifestKeyOf(String dataKey) {
    int db = dataKey.lastIndexOf(".db");
    if (db < 0) throw new IllegalArgumentException("not a snapshot object (no .db in its name): " + dataKey);
    return dataKey.substring(0, db) + ".json";
  }

  /** The same thing in one line, kept in the cluster-state ConfigMap: a later change of the spec is then seen. */
  public String describe() {
    return "s3://" + store.getBucket() + "/" + manifestKey;
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What {@link #toJson()} wrote; empty when the text is not that (edited by hand). */
  public static Optional<RestoreSource> fromJson(String json) {
    if (json == null) return Optional.empty();
    try {
      return Optional.of(JSON.readValue(json, RestoreSource.class));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
