package io.etcdpilot.e2e;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcdpilot.operator.pki.Pem;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/** A client certificate, key and trust bundle, as an application gets them from <cluster>-client-tls. */
public record ClientCredentials(String caPem, String certPem, String keyPem) {
  static ClientCredentials read(Path ca, Path cert, Path key) throws IOException {
    return new ClientCredentials(Files.readString(ca), Files.readString(cert), Files.readString(key));
  }

  /** A jetcd client for the URLs, with mutual TLS when credentials are given. */
  static Client jetcd(List<String> urls, ClientCredentials credentials) {
    ClientBuilder b = Client.builder().endpoints(urls.stream().map(URI::create).toArray(URI[]::new))
        .connectTimeout(Duration.ofSeconds(3));
    if (credentials != null) {
      X509Certificate[] trust = Pem.certificates(credentials.caPem()).toArray(X509Certificate[]::new);
      try {
        b.sslContext(s -> s.trustManager(trust).keyManager(Pem.privateKey(credentials.keyPem()),
            Pem.certificate(credentials.certPem())));
      } catch (javax.net.ssl.SSLException e) {
        throw new IllegalStateException(e);
      }
    }
    return b.build();
  }
}
