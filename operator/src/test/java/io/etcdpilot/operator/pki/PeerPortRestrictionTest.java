package io.etcdpilot.operator.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PeerPortRestrictionTest {
  static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
  static final Duration SETTLE = Duration.ofSeconds(20);

  @Test
  void requiredOnceEveryPeerCertificateCarriesTheNameAndHadTimeToReachTheMembers() {
    Instant issued = NOW.minusSeconds(5);
    assertThat(PeerPortRestriction.decide(false, true, false, issued, NOW, SETTLE))
        .isEqualTo(new PeerPortRestriction(false, false, issued.plus(SETTLE)));
    assertThat(PeerPortRestriction.decide(false, true, false, issued, issued.plus(SETTLE), SETTLE))
        .isEqualTo(new PeerPortRestriction(true, true, null));
  }

  @Test
  void notWhileAPeerStillPresentsAnOldCertificateAndNeverLiftedOnceRequired() {
    assertThat(PeerPortRestriction.decide(false, false, false, NOW.minusSeconds(600), NOW, SETTLE))
        .isEqualTo(new PeerPortRestriction(false, false, null));
    // A member added later (its certificate just issued, or not yet carrying the name) does not lift it.
    assertThat(PeerPortRestriction.decide(true, false, false, NOW, NOW, SETTLE))
        .isEqualTo(new PeerPortRestriction(true, false, null));
  }

  @Test
  void aNewClusterRequiresItFromItsFirstStart() {
    assertThat(PeerPortRestriction.decide(false, true, true, NOW, NOW, SETTLE))
        .isEqualTo(new PeerPortRestriction(true, true, null));
  }
}
