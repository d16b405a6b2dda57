package io.etcdpilot.operator.etcd;

import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.TlsWiring;
import io.etcdpilot.operator.pki.ServedCertificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * What a member presents, read from a TLS handshake with it: the server's certificate arrives before the member asks
 * for ours, so even the peer port (which refuses the operator's certificate) shows its own. Nothing is sent; the
 * certificate is only looked at, never trusted for anything.
 */
public final class PresentedCertificates implements ServedCertificates {
  private final Function<String, String> hostOf;
  private final Duration timeout;

  /** @param hostOf a member's address (its DNS name in a cluster) */
  public PresentedCertificates(Function<String, String> hostOf, Duration timeout) {
    this.hostOf = hostOf;
    this.timeout = timeout;
  }

  /** A cluster's members, by their DNS names. */
  public PresentedCertificates(ClusterNames names, Duration timeout) {
    this(member -> URI.create(names.clientUrl(member, new TlsWiring(true))).getHost(), timeout);
  }

  @Override
  public Optional<X509Certificate> leaf(String member, int port) {
    String host = hostOf.apply(member);
    AtomicReference<X509Certificate> presented = new AtomicReference<>();
    X509TrustManager capture = new X509TrustManager() {
      @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
      @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {
        if (chain.length > 0) presented.set(chain[0]);
      }
      @Override public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {capture}, null);
      try (SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket()) {
        socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
        socket.setSoTimeout((int) timeout.toMillis());
        socket.startHandshake();
      }
    } catch (IOException | GeneralSecurityException e) {
      // A member refusing our certificate after presenting its own is expected (the peer port); unreachable: empty.
    }
    return Optional.ofNullable(presented.get());
  }
}
