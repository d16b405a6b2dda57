package io.etcdpilot.operator.pki;

import java.time.Duration;
import java.time.Instant;

/**
 * Whether members require the peer name on port 2380 ({@code --peer-cert-allowed-hostname}). Once required it stays
 * so. Before that, only when every peer certificate carries the name and the last issue had {@code settle} to reach
 * the members: a member requiring it earlier would refuse a peer still presenting an older certificate. A cluster
 * whose certificates are all new requires it from its first start.
 *
 * @param required whether members run requiring it from now on
 * @param restrictsNow whether this pass is the one that starts requiring it
 * @param settlesAt when to look again, while every certificate carries the name but the last issue has not settled
 */
record PeerPortRestriction(boolean required, boolean restrictsNow, Instant settlesAt) {

  static PeerPortRestriction decide(boolean alreadyRequired, boolean everyPeerCarriesName, boolean freshLeaves,
      Instant issuedAt, Instant now, Duration settle) {
    if (alreadyRequired) return new PeerPortRestriction(true, false, null);
    if (!everyPeerCarriesName) return new PeerPortRestriction(false, false, null);
    Instant settled = freshLeaves || issuedAt == null ? now : issuedAt.plus(settle);
    if (now.isBefore(settled)) return new PeerPortRestriction(false, false, settled);
    return new PeerPortRestriction(true, true, null);
  }
}
