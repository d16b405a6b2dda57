package io.etcdpilot.operator.pki;

import java.time.Duration;
import java.time.Instant;

/**
 * Whether members require the peer name on port 2380 ({@code --peer-cert-allowed-hostname}). Once required it stays
 * so. Before that, only when every peer certificate carries the name, the last issue had {@code settle} to reach the
 * members, and every member presents it on its peer port: a member requiring it earlier would refuse a peer still
 * presenting an older certificate. A cluster whose certificates are all new requires it from its first start.
 *
 * @param required whether members run requiring it from now on
 * @param restrictsNow whether this pass is the one that starts requiring it
 * @param settlesAt when to look again, while every certificate carries the name but the last issue has not settled
 */
record PeerPortRestriction(boolean required, boolean restrictsNow, Instant settlesAt) {

  /** @param everyPeerPresentsName asked only once the rest allows it: a handshake with every member */
  static PeerPortRestriction decide(boolean alreadyRequired, boolean everyPeerCarriesName, boolean freshLeaves,
      Instant issuedAt, Instant now, Duration settle, java.util.function.BooleanSupplier everyPeerPresentsName) {
    if (alreadyRequired) return new PeerPortRestriction(true, false, null);
    if (!everyPeerCarriesName) return new PeerPortRestriction(false, false, null);
    if (freshLeaves) return new PeerPortRestriction(true, true, null);
    Instant settled = issuedAt == null ? now : issuedAt.plus(settle);
    if (now.isBefore(settled)) return new PeerPortRestriction(false, false, settled);
    if (!everyPeerPresentsName.getAsBoolean()) {
      return new PeerPortRestriction(false, false, now.plus(CertificateManager.PRESENTED_RECHECK));
    }
    return new PeerPortRestriction(true, true, null);
  }
}
