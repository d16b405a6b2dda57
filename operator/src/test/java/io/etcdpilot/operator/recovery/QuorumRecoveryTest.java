package io.etcdpilot.operator.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshotStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuorumRecoveryTest {
  static final String UID = "0a1b2c3d-0000-4000-8000-000000000001";
  static final String ASKED = UID + ":1";
  static final String SNAPSHOT = QuorumRecovery.snapshotName("demo", "1");
  static final QuorumRecovery.Survivor SURVIVOR = new QuorumRecovery.Survivor("demo-2", 900, 400);

  static EtcdSnapshot snapshot(String name, String phase, long revision) {
    EtcdSnapshot s = new EtcdSnapshot();
    s.setMetadata(new ObjectMetaBuilder().withName(name).build());
    s.setStatus(new EtcdSnapshotStatus());
    s.getStatus().setPhase(phase);
    s.getStatus().setRevision(revision);
    s.getStatus().setMessage(phase.equals("Failed") ? "the stream broke" : null);
    return s;
  }

  static QuorumRecovery.Inputs in(String annotation, boolean quorum, List<String> lost, List<String> silent,
      List<QuorumRecovery.Survivor> survivors, List<EtcdSnapshot> snapshots) {
    return new QuorumRecovery.Inputs(annotation, UID, "demo", quorum, 3, lost, silent, survivors, snapshots, null, false,
        true, null);
  }

  @Test
  void neverWithoutBeingAskedButSaysHow() {
    QuorumRecovery.Plan p = QuorumRecovery.decide(in(null, false, List.of("demo-0", "demo-1"), List.of(),
        List.of(SURVIVOR), List.of()));
    assertThat(p).isInstanceOfSatisfying(QuorumRecovery.Nothing.class, n -> assertThat(n.advice())
        .contains("2 of 3 members lost their data", QuorumRecovery.ANNOTATION));
    assertThat(QuorumRecovery.decide(in(null, false, List.of("demo-0"), List.of("demo-1"), List.of(SURVIVOR), List.of())))
        .as("a majority merely down: no advice to recover").isEqualTo(new QuorumRecovery.Nothing(null));
  }

  @Test
  void theConfirmationMustNameThisCluster() {
    assertThat(QuorumRecovery.decide(in("someone-else:1", false, List.of("demo-0", "demo-1"), List.of(),
        List.of(SURVIVOR), List.of()))).isInstanceOfSatisfying(QuorumRecovery.Refused.class, r ->
        assertThat(r.why()).contains(UID));
    assertThat(QuorumRecovery.decide(in(UID, false, List.of("demo-0", "demo-1"), List.of(), List.of(SURVIVOR),
        List.of()))).as("no token").isInstanceOf(QuorumRecovery.Refused.class);
  }

  @Test
  void refusedWithQuorumOrWhileAMajorityIsMerelyDown() {
    assertThat(QuorumRecovery.decide(in(ASKED, true, List.of(), List.of(), List.of(SURVIVOR), List.of())))
        .isInstanceOfSatisfying(QuorumRecovery.Refused.class, r -> assertThat(r.why()).contains("has quorum"));
    assertThat(QuorumRecovery.decide(in(ASKED, false, List.of("demo-0"), List.of("demo-1"), List.of(SURVIVOR),
        List.of()))).isInstanceOfSatisfying(QuorumRecovery.Refused.class, r -> assertThat(r.why())
        .contains("1 of 3", "merely down"));
  }

  @Test
  void theSurvivorFurthestAheadThenEveryMemberFromItsSnapshot() {
    QuorumRecovery.Survivor behind = new QuorumRecovery.Survivor("demo-1", 800, 390);
    List<String> lost = List.of("demo-0");
    // demo-0 lost, demo-1 and demo-2 answer (no quorum: a 5-member cluster would be; here lost + ... see voters=3):
    QuorumRecovery.Inputs five = new QuorumRecovery.Inputs(ASKED, UID, "demo", false, 5,
        List.of("demo-0", "demo-3", "demo-4"), List.of(), List.of(behind, SURVIVOR), List.of(), null, false, true, null);
    assertThat(QuorumRecovery.decide(five)).isEqualTo(new QuorumRecovery.TakeSnapshot(SNAPSHOT, SURVIVOR));
    QuorumRecovery.Inputs running = new QuorumRecovery.Inputs(ASKED, UID, "demo", false, 5,
        List.of("demo-0", "demo-3", "demo-4"), List.of(), List.of(behind, SURVIVOR),
        List.of(snapshot(SNAPSHOT, "Running", 0)), null, false, true, null);
    assertThat(QuorumRecovery.decide(running)).isInstanceOf(QuorumRecovery.Wait.class);
    QuorumRecovery.Inputs taken = new QuorumRecovery.Inputs(ASKED, UID, "demo", false, 5,
        List.of("demo-0", "demo-3", "demo-4"), List.of(), List.of(behind, SURVIVOR),
        List.of(snapshot(SNAPSHOT, "Succeeded", 400)), null, false, true, null);
    assertThat(QuorumRecovery.decide(taken)).isInstanceOfSatisfying(QuorumRecovery.Recreate.class, r -> {
      assertThat(r.snapshot()).isEqualTo(SNAPSHOT);
      assertThat(r.revision()).isEqualTo(400);
    });
    QuorumRecovery.Inputs recreating = new QuorumRecovery.Inputs(ASKED, UID, "demo", false, 5,
        List.of(), List.of(), List.of(), List.of(snapshot(SNAPSHOT, "Succeeded", 400)), SNAPSHOT, true, true, null);
    assertThat(QuorumRecovery.decide(recreating)).isInstanceOf(QuorumRecovery.Wait.class);
    QuorumRecovery.Inputs back = new QuorumRecovery.Inputs(ASKED, UID, "demo", true, 5, List.of(), List.of(),
        List.of(), List.of(snapshot(SNAPSHOT, "Succeeded", 400)), SNAPSHOT, false, true, null);
    assertThat(QuorumRecovery.decide(back)).isInstanceOfSatisfying(QuorumRecovery.Done.class, d ->
        assertThat(d.message()).contains(SNAPSHOT, "remove"));
    assertThat(QuorumRecovery.decide(in(ASKED, false, List.of("demo-0", "demo-1"), List.of(), List.of(SURVIVOR),
        List.of(snapshot(SNAPSHOT, "Failed", 0))))).isInstanceOfSatisfying(QuorumRecovery.Refused.class, r ->
        assertThat(r.why()).contains("the stream broke", "delete the EtcdSnapshot"));
  }

  @Test
  void aSilentMemberMayHoldTheNewestData() {
    assertThat(QuorumRecovery.decide(in(ASKED, false, List.of("demo-0", "demo-1"), List.of("demo-2"), List.of(),
        List.of()))).isInstanceOfSatisfying(QuorumRecovery.Wait.class, w -> assertThat(w.why()).contains("demo-2"));
  }

  @Test
  void noSurvivorTheNewestSnapshotNoneNothing() {
    List<String> all = List.of("demo-0", "demo-1", "demo-2");
    assertThat(QuorumRecovery.decide(in(ASKED, false, all, List.of(), List.of(), List.of(
        snapshot("demo-a", "Succeeded", 100), snapshot("demo-b", "Succeeded", 300), snapshot("demo-c", "Failed", 0)))))
        .isInstanceOfSatisfying(QuorumRecovery.Recreate.class, r -> {
          assertThat(r.snapshot()).isEqualTo("demo-b");
          assertThat(r.lostSince()).contains("no member survived");
        });
    assertThat(QuorumRecovery.decide(in(ASKED, false, all, List.of(), List.of(), List.of())))
        .isInstanceOf(QuorumRecovery.Refused.class);
    QuorumRecovery.Inputs drilled = new QuorumRecovery.Inputs(ASKED, UID, "demo", false, 3, all, List.of(), List.of(),
        List.of(snapshot("demo-a", "Succeeded", 100), snapshot("demo-b", "Succeeded", 300)), null, false, true, "demo-a");
    assertThat(QuorumRecovery.decide(drilled)).as("the snapshot a drill verified, before a newer unverified one")
        .isInstanceOfSatisfying(QuorumRecovery.Recreate.class, r -> {
          assertThat(r.snapshot()).isEqualTo("demo-a");
          assertThat(r.lostSince()).contains("verified by a drill");
        });
    QuorumRecovery.Inputs noStore = new QuorumRecovery.Inputs(ASKED, UID, "demo", false, 3, List.of("demo-0", "demo-1"),
        List.of(), List.of(SURVIVOR), List.of(), null, false, false, null);
    assertThat(QuorumRecovery.decide(noStore)).isInstanceOfSatisfying(QuorumRecovery.Refused.class, r ->
        assertThat(r.why()).contains("spec.snapshots.destination"));
  }
}
