package io.etcdpilot.operator.pki;

import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * What a member actually presents on a port, as a TLS handshake with it shows: a Secret written is not a Secret loaded
 * (a kubelet refreshes Secret volumes on its own period, a minute or more), so steps that depend on members presenting
 * new certificates look here rather than at the Secret or the clock alone.
 */
public interface ServedCertificates {
  int CLIENT_PORT = 2379;
  int PEER_PORT = 2380;

  /** The leaf certificate the member presents on the port; empty when it cannot be reached. */
  Optional<X509Certificate> leaf(String member, int port);
}
