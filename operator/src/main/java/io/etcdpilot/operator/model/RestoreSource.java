package io.etcdpilot.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcdpilot.operator.api.v1alpha1.S3Destination;
import java.io.IOException;
import java.util.Optional;

/**
 * Where a new cluster's founding members fetch their snapshot from: the store, the manifest's key, the Secrets with the
 * store's credentials and (when the snapshot is encrypted) the keyset, and what the manifest must say. Resolved once
 * from {@code spec.bootstrap.fromSnapshot}; rendered into the members' restore steps and kept, as JSON, in the
 * cluster-state ConfigMap.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestoreSource(S3Destination store, String manifestKey, String keySecretName, Expected expected) {
  /**
   * What the snapshot's manifest must say, or the restore is refused: a bucket's manifest is no authority of its own.
   * From the EtcdSnapshot record restored by name (null fields are not checked), or from {@code sourceCluster} for a
   * restore by location.
   *
   * @param targetTls whether the new cluster runs TLS
   * @param allowTlsOff a snapshot of a cluster that ran TLS may be restored into this one without it
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Expected(String namespace, String cluster, String object, String sha256, Long revision, Long keyId,
      boolean targetTls, boolean allowTlsOff) {}

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
