package io.etcdpilot.sandbox.controlplane;

import io.etcdpilot.operator.pki.CertificateAuthority;
import io.etcdpilot.operator.pki.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * The control plane's certificates, written as PEM files: one CA, the API server's serving certificate, client
 * certificates for the admin, controller manager, scheduler and the API server's kubelet client, the kubelet's
 * serving certificate, and the ServiceAccount token signing key pair. Made anew for every sandbox.
 */
public final class ControlPlanePki {
  private static final Duration VALIDITY = Duration.ofDays(30);

  /** A certificate and key as files. */
  public record Pair(Path cert, Path key) {}

  private final Path dir;
  private final CertificateAuthority ca;

  private ControlPlanePki(Path dir, CertificateAuthority ca) {
    this.dir = dir;
    this.ca = ca;
  }

  public static ControlPlanePki create(Path dir) throws IOException {
    Files.createDirectories(dir);
    CertificateAuthority ca = CertificateAuthority.create("etcdpilot-sandbox-ca", Instant.now(), VALIDITY);
    Files.writeString(dir.resolve("ca.crt"), Pem.encode(ca.certificate()));
    ControlPlanePki pki = new ControlPlanePki(dir, ca);
    KeyPair sa = CertificateAuthority.newKeyPair();
    pki.writeKey(dir.resolve("sa.key"), sec1(sa.getPrivate()));
    Files.writeString(dir.resolve("sa.pub"), "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(sa.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n");
    return pki;
  }

  public Path caCert() {
    return dir.resolve("ca.crt");
  }

  public Path serviceAccountKey() {
    return dir.resolve("sa.key");
  }

  public Path serviceAccountPublicKey() {
    return dir.resolve("sa.pub");
  }

  /** A serving certificate for the given names and addresses. */
  public Pair server(String name, List<String> dnsNames, List<String> ips) throws IOException {
    return write(name, ca.issue(name, "etcdpilot-sandbox", CertificateAuthority.Usage.SERVER, dnsNames, ips, Instant.now(), VALIDITY));
  }

  /** A client certificate: Kubernetes takes the user from the common name and the group from the organization. */
  public Pair client(String file, String user, String group) throws IOException {
    return write(file, ca.issue(user, group, CertificateAuthority.Usage.CLIENT, List.of(), List.of(), Instant.now(), VALIDITY));
  }

  private Pair write(String name, CertificateAuthority.Leaf leaf) throws IOException {
    Pair p = new Pair(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
    Files.writeString(p.cert(), Pem.encode(leaf.certificate()));
    writeKey(p.key(), sec1(leaf.key()));
    return p;
  }

  /**
   * "EC PRIVATE KEY" (SEC 1) naming its curve: fabric8's kubeconfig loader takes an EC key only in this form
   * (not PKCS#8, and not without the curve's parameters).
   */
  private static String sec1(java.security.PrivateKey key) throws IOException {
    var info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(key.getEncoded());
    var plain = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
    var withCurve = new org.bouncycastle.asn1.sec.ECPrivateKey(256, plain.getKey(),
        info.getPrivateKeyAlgorithm().getParameters());
    java.io.StringWriter out = new java.io.StringWriter();
    try (org.bouncycastle.util.io.pem.PemWriter w = new org.bouncycastle.util.io.pem.PemWriter(out)) {
      w.writeObject(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", withCurve.getEncoded()));
    }
    return out.toString();
  }

  private void writeKey(Path file, String pem) throws IOException {
    Files.writeString(file, pem);
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
  }

  /** A kubeconfig for {@code server} that authenticates with a client certificate (embedded). */
  public String kubeconfig(String server, Pair client) throws IOException {
    return kubeconfig(server, "client-certificate-data: " + b64(client.cert()) + "\n    client-key-data: " + b64(client.key()));
  }

  /** A kubeconfig for {@code server} that authenticates with a bearer token. */
  public String tokenKubeconfig(String server, String token) throws IOException {
    return kubeconfig(server, "token: " + token);
  }

  private String kubeconfig(String server, String credentials) throws IOException {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: etcdpilot-sandbox
          cluster:
            server: %s
            certificate-authority-data: %s
        contexts:
        - name: etcdpilot-sandbox
          context:
            cluster: etcdpilot-sandbox
            user: user
            namespace: default
        current-context: etcdpilot-sandbox
        users:
        - name: user
          user:
            %s
        """.formatted(server, b64(caCert()), credentials);
  }

  private static String b64(Path file) throws IOException {
    return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
  }
}
