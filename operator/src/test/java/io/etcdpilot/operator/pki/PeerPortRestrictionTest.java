package io.etcdpilot.operator.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PeerPortRestrictionTest {
  static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
  static final Duration SETTLE = Duration.ofSeconds(20);
  /** Every member presents the name on its peer port (a handshake says so). */
  static final java.util.function.BooleanSupplier PRESENTED = () -> true;

  @Test
  void requiredOnceEveryPeerCertificateCarriesTheNameAndHadTimeToReachTheMembers() {
    Instant issued = NOW.minusSeconds(5);
    assertThat(PeerPortRestriction.decide(false, true, false, issued, NOW, SETTLE, PRESENTED))
        .isEqualTo(new PeerPortRestriction(false, false, issued.plus(SETTLE)));
    assertThat(PeerPortRestriction.decide(false, true, false, issued, issued.plus(SETTLE), SETTLE, PRESENTED))
        .isEqualTo(new PeerPortRestriction(true, true, null));
  }

  @Test
  void notWhileAPeerStillPresentsAnOldCertificateAndNeverLiftedOnceRequired() {
    assertThat(PeerPortRestriction.decide(false, false, false, NOW.minusSeconds(600), NOW, SETTLE, PRESENTED))
        .isEqualTo(new PeerPortRestriction(false, false, null));
    // A member added later (its certificate just issued, or not yet carrying the name) does not lift it.
    assertThat(PeerPortRestriction.decide(true, false, false, NOW, NOW, SETTLE, PRESENTED))
        .isEqualTo(new PeerPortRestriction(true, false, null));
  }

  @Test
  void aNewClusterRequiresItFromItsFirstStart() {
    assertThat(PeerPortRestriction.decide(false, true, true, NOW, NOW, SETTLE, PRESENTED))
        .isEqualTo(new PeerPortRestriction(true, true, null));
  }

  @Test
  void notWhileAMemberStillPresentsItsOldCertificateWhateverTheClockSays() {
    // Settled by the clock, but a member still presents its old peer certificate (its kubelet has not refreshed the
    // Secret volume yet): look again shortly.
    Instant issued = NOW.minusSeconds(600);
    assertThat(PeerPortRestriction.decide(false, true, false, issued, NOW, SETTLE, () -> false))
        .isEqualTo(new PeerPortRestriction(false, false, NOW.plus(CertificateManager.PRESENTED_RECHECK)));
  }

  @Test
  void membersAreNotAskedWhileNothingDependsOnTheirAnswer() {
    java.util.function.BooleanSupplier never = () -> {
      throw new AssertionError("asked");
    };
    PeerPortRestriction.decide(true, true, false, NOW, NOW, SETTLE, never);
    PeerPortRestriction.decide(false, false, false, NOW, NOW, SETTLE, never);
    PeerPortRestriction.decide(false, true, false, NOW, NOW, SETTLE, never);
    PeerPortRestriction.decide(false, true, true, NOW, NOW, SETTLE, never);
  }
}
