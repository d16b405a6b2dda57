package io.etcdpilot.operator.snapshot;

import io.etcdpilot.operator.api.v1alpha1.S3Destination;
import io.etcdpilot.operator.pki.Pem;
import java.net.URI;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** An S3 client for one destination, from its spec and the contents of its Secrets. */
public final class ObjectStore {
  private ObjectStore() {}

  /** What the destination's Secrets hold. */
  public record Credentials(String accessKeyId, String secretAccessKey, String sessionToken) {}

  /**
   * @param caPem the destination's private CA (key {@code ca.crt} of {@code caSecretName}); null: the JDK's trust
   */
  public static S3Client client(S3Destination d, Credentials credentials, String caPem) throws Exception {
    AwsCredentials aws = credentials.sessionToken() == null
        ? AwsBasicCredentials.create(credentials.accessKeyId(), credentials.secretAccessKey())
        : AwsSessionCredentials.create(credentials.accessKeyId(), credentials.secretAccessKey(), credentials.sessionToken());
    UrlConnectionHttpClient.Builder http = UrlConnectionHttpClient.builder();
    if (caPem != null) {
      TrustManager[] trust = trustManagers(Pem.certificates(caPem));
      http.tlsTrustManagersProvider(() -> trust);
    }
    var b = S3Client.builder()
        .region(Region.of(d.getRegion()))
        .credentialsProvider(StaticCredentialsProvider.create(aws))
        .forcePathStyle(Boolean.TRUE.equals(d.getForcePathStyle()))
        // Checksums only where S3 requires them: S3-compatible stores differ in the trailers they accept.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .httpClient(http.build());
    if (d.getEndpoint() != null && !d.getEndpoint().isBlank()) b.endpointOverride(URI.create(d.getEndpoint()));
    return b.build();
  }

  private static TrustManager[] trustManagers(List<X509Certificate> cas) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    for (int i = 0; i < cas.size(); i++) store.setCertificateEntry("ca-" + i, cas.get(i));
    TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    f.init(store);
    return f.getTrustManagers();
  }

  /** Aborts every unfinished multipart upload under a key prefix whose key ends so; how many there were. */
  public static int abortUploads(S3Client s3, String bucket, String keyPrefix, String keyContains) {
    var uploads = s3.listMultipartUploads(r -> r.bucket(bucket).prefix(keyPrefix)).uploads().stream()
        .filter(u -> u.key().contains(keyContains)).toList();
    for (var u : uploads) {
      s3.abortMultipartUpload(r -> r.bucket(bucket).key(u.key()).uploadId(u.uploadId()));
    }
    return uploads.size();
  }

  /** Whether an object exists at the key (a store without conditional writes is checked this way first). */
  public static boolean exists(S3Client s3, String bucket, String key) {
    try {
      s3.headObject(r -> r.bucket(bucket).key(key));
      return true;
    } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
      return false;
    } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
      if (e.statusCode() == 404) return false;
      throw e;
    }
  }

  /** A key under the destination's prefix. */
  public static String prefixed(S3Destination d, String name) {
    String prefix = d.getPrefix() == null ? "" : d.getPrefix().replaceAll("^/+|/+$", "");
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }
}
