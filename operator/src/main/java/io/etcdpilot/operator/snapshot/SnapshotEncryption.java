package io.etcdpilot.operator.snapshot;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyTemplates;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import io.etcdpilot.operator.model.RestoreSteps;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * Client-side encryption of snapshots with Tink's streaming AEAD (AES256-GCM-HKDF, 1 MiB segments): encrypted and
 * decrypted as a stream, each segment authenticated, the object's name bound in as associated data (a snapshot cannot
 * be passed off under another name). The keyset lives in a Secret as Tink's JSON; it is never logged.
 */
public final class SnapshotEncryption {
  /** Key in the Secret named by {@code spec.snapshots.encryption.keySecretName}. */
  public static final String KEYSET_KEY = RestoreSteps.KEYSET_SECRET_KEY;
  private static final String TEMPLATE = "AES256_GCM_HKDF_1MB";

  static {
    try {
      StreamingAeadConfig.register();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final KeysetHandle keyset;
  private final StreamingAead aead;

  private SnapshotEncryption(KeysetHandle keyset) throws GeneralSecurityException {
    this.keyset = keyset;
    this.aead = keyset.getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
  }

  /** A new keyset, as the JSON to store in the Secret. */
  public static String newKeyset() throws GeneralSecurityException {
    return TinkJsonProtoKeysetFormat.serializeKeyset(KeysetHandle.generateNew(KeyTemplates.get(TEMPLATE)),
        InsecureSecretKeyAccess.get());
  }

  /** @throws GeneralSecurityException when the text is not a streaming-AEAD keyset (the message says no more) */
  public static SnapshotEncryption of(String keysetJson) throws GeneralSecurityException {
    return new SnapshotEncryption(TinkJsonProtoKeysetFormat.parseKeyset(keysetJson, InsecureSecretKeyAccess.get()));
  }

  public long keyId() {
    return Integer.toUnsignedLong(keyset.getKeysetInfo().getPrimaryKeyId());
  }

  OutputStream encrypting(OutputStream out, String objectKey) throws IOException {
    try {
      return aead.newEncryptingStream(out, objectKey.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IOException("could not start encrypting: " + e.getMessage(), e);
    }
  }

  InputStream decrypting(InputStream in, String objectKey) throws IOException {
    try {
      return aead.newDecryptingStream(in, objectKey.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IOException("could not start decrypting: " + e.getMessage(), e);
    }
  }
}
