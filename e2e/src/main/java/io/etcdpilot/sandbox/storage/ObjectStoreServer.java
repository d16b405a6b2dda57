package io.etcdpilot.sandbox.storage;

import io.etcdpilot.operator.api.v1alpha1.S3Destination;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * The sandbox's S3-compatible object store: s3proxy over {@code DIR/s3/}, authentication on, credentials new for
 * each sandbox, one bucket ({@value #BUCKET}). Snapshots go here as they would go to S3, MinIO or Ceph.
 */
public final class ObjectStoreServer implements AutoCloseable {
  public static final String BUCKET = "etcd-backups";
  public static final String PREFIX = "snapshots";
  /** Secret with the store's credentials, in each namespace that asks for it. */
  public static final String SECRET = "sandbox-s3";

  private S3Proxy proxy;
  private int port;
  private final BlobStoreContext context;
  private final String accessKey;
  private final String secretKey;
  private final Path dir;

  private ObjectStoreServer(Path dir) throws Exception {
    this.dir = dir;
    Files.createDirectories(dir);
    SecureRandom random = new SecureRandom();
    byte[] a = new byte[8];
    byte[] b = new byte[20];
    random.nextBytes(a);
    random.nextBytes(b);
    accessKey = "sandbox-" + HexFormat.of().formatHex(a);
    secretKey = HexFormat.of().formatHex(b);
    Properties p = new Properties();
    p.setProperty("jclouds.filesystem.basedir", dir.toString());
    context = ContextBuilder.newBuilder("filesystem").overrides(p).build(BlobStoreContext.class);
    context.getBlobStore().createContainerInLocation(null, BUCKET);
    listen(0);
  }

  private void listen(int onPort) throws Exception {
    proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:" + onPort))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey).build();
    proxy.start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("s3proxy did not start");
      Thread.sleep(10);
    }
    port = proxy.getPort();
  }

  /** The store goes away (its port refuses connections) until {@link #resume()}: an outage of the backup target. */
  public synchronized void pause() throws Exception {
    proxy.stop();
  }

  public synchronized void resume() throws Exception {
    listen(port);
  }

  public static ObjectStoreServer start(Path dir) throws Exception {
    return new ObjectStoreServer(dir);
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  public Path dir() {
    return dir;
  }

  /** The file s3proxy keeps an object in. */
  public Path file(String key) {
    return dir.resolve(BUCKET).resolve(key);
  }

  public String accessKey() { return accessKey; }
  public String secretKey() { return secretKey; }

  /** Creates (or replaces) the credentials Secret in a namespace. */
  public void secret(KubernetesClient client, String namespace) {
    // Labelled as usable by an EtcdSnapshot's own destination too (the tests use such destinations).
    client.resource(new SecretBuilder().withNewMetadata().withName(SECRET).withNamespace(namespace)
        .addToLabels("etcdpilot.io/snapshot-credentials", "true").endMetadata()
        .addToStringData("accessKeyID", accessKey).addToStringData("secretAccessKey", secretKey).build())
        .createOr(r -> r.update());
  }

  /**
   * A destination in this store, under the prefix {@code snapshots}: the operator's keys already name the
   * namespace and cluster, so the prefix does not repeat them.
   */
  public S3Destination destination() {
    S3Destination d = new S3Destination();
    d.setEndpoint(endpoint());
    d.setRegion("us-east-1");
    d.setBucket(BUCKET);
    d.setPrefix(PREFIX);
    d.setForcePathStyle(true);
    d.setCredentialsSecretName(SECRET);
    return d;
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    context.close();
  }
}
