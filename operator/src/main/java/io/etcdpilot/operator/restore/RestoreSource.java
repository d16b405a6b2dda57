package io.etcdpilot.operator.restore;

import io.etcdpilot.operator.api.v1alpha1.S3Destination;

/**
 * Where a new cluster's founding members fetch their snapshot from: the store, the manifest's key, and the Secrets
 * with the store's credentials and (when the snapshot is encrypted) the keyset. Resolved once from
 * {@code spec.bootstrap.fromSnapshot}; rendered into the members' restore steps.
 */
public record RestoreSource(S3Destination store, String manifestKey, String keySecretName) {
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
}
