package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Client-side encryption of snapshots (Tink streaming AEAD, AES256-GCM-HKDF). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SnapshotEncryption {
  @io.fabric8.generator.annotation.Required
  @JsonPropertyDescription("Secret (same namespace) holding the keyset; created by the operator when absent. Keep a copy: without it no snapshot can be restored.")
  private String keySecretName;

  public String getKeySecretName() { return keySecretName; }
  public void setKeySecretName(String keySecretName) { this.keySecretName = keySecretName; }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SnapshotEncryption x)) return false;
    return Objects.equals(keySecretName, x.keySecretName);
  }

  @Override
  public int hashCode() { return Objects.hash(keySecretName); }
}
