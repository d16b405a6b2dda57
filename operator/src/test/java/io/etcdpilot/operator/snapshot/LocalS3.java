package io.etcdpilot.operator.snapshot;

import io.etcdpilot.operator.api.v1alpha1.S3Destination;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.services.s3.S3Client;

/** A real S3 API on loopback: s3proxy over a directory, with authentication on. */
final class LocalS3 implements AutoCloseable {
  static final String ACCESS_KEY = "it-access";
  static final String SECRET_KEY = "it-secret-key";

  final Path dir;
  private final S3Proxy proxy;
  private final BlobStoreContext context;

  LocalS3(String ip) throws Exception {
    dir = Files.createTempDirectory("s3-it");
    Properties p = new Properties();
    p.setProperty("jclouds.filesystem.basedir", dir.toString());
    context = ContextBuilder.newBuilder("filesystem").overrides(p).build(BlobStoreContext.class);
    proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://" + ip + ":0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
    proxy.start();
    org.awaitility.Awaitility.await().until(() -> "STARTED".equals(proxy.getState()));
    this.ip = ip;
  }

  private final String ip;

  String endpoint() {
    return "http://" + ip + ":" + proxy.getPort();
  }

  S3Destination destination(String bucket, String prefix) {
    S3Destination d = new S3Destination();
    d.setEndpoint(endpoint());
    d.setRegion("us-east-1");
    d.setBucket(bucket);
    d.setPrefix(prefix);
    d.setForcePathStyle(true);
    d.setCredentialsSecretName("unused-in-this-test");
    return d;
  }

  S3Client client(S3Destination d) throws Exception {
    return ObjectStore.client(d, new ObjectStore.Credentials(ACCESS_KEY, SECRET_KEY, null), null);
  }

  /** The file s3proxy keeps an object in. */
  Path file(String bucket, String key) {
    return dir.resolve(bucket).resolve(key);
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    context.close();
  }
}
