package io.etcdpilot.operator.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.ObservedMember;
import io.etcdpilot.operator.model.ClusterNames;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** From etcd's member list, pods and claims to the planner's view and the bookkeeping it implies. */
class MembershipInputsTest {
  final ClusterNames names = new ClusterNames("demo", "prod", "cluster.local");
  final Instant now = Instant.parse("2026-12-01T12:00:00Z");

  static ObservedMember member(long id, int ordinal, boolean learner, boolean started) {
    String host = "demo-" + ordinal + ".demo-peer.prod.svc.cluster.local";
    return new ObservedMember(id, started ? "demo-" + ordinal : "", List.of("https://" + host + ":2380"),
        started ? List.of("https://" + host + ":2379") : List.of(), learner, started, started ? "3.5.16" : null, 0, 10,
        2, started ? 0xa : 0, null);
  }

  static ClusterObservation of(ObservedMember... members) {
    return new ClusterObservation(true, 1, List.of(members), null);
  }

  static PersistentVolumeClaim claim(int ordinal, String owner) {
    return new PersistentVolumeClaimBuilder().withNewMetadata().withName("data-demo-" + ordinal)
        .withLabels(owner == null ? Map.of() : Map.of(MembershipInputs.VOLUME_OWNER_LABEL, owner)).endMetadata().build();
  }

  static Pod pod(int ordinal, String lastExitMessage) {
    return new PodBuilder().withNewMetadata().withName("demo-" + ordinal).endMetadata()
        .withNewStatus().addNewContainerStatus().withName("etcd").withReady(false)
          .withNewLastState().withNewTerminated().withExitCode(1).withMessage(lastExitMessage).endTerminated().endLastState()
        .endContainerStatus().endStatus().build();
  }

  @Test
  void ordinalsComeFromThePeerUrlAndForeignMembersAreMinusOne() {
    assertThat(MembershipInputs.ordinalOf(names, member(0xa, 2, false, true))).isEqualTo(2);
    ObservedMember foreign = new ObservedMember(7, "x", List.of("https://other-0.other-peer:2380"), List.of(), false,
        true, null, 0, 0, 0, 0, null);
    assertThat(MembershipInputs.ordinalOf(names, foreign)).isEqualTo(-1);
  }

  @Test
  void aVoterClaimsItsVolumeButALearnerNeverRelabelsOne() {
    var observation = of(member(0xa, 0, false, true), member(0xb, 1, false, true), member(0xc, 2, true, true));
    var claims = List.of(claim(0, "a"), claim(1, null), claim(2, "dd"), claim(3, "edited-by-hand"));
    assertThat(MembershipInputs.ownerLabels(names, observation, claims))
        .containsExactlyInAnyOrderEntriesOf(Map.of("data-demo-1", "b"));
    // The learner on a volume labelled for a removed member: the planner sees the stale owner (and wipes it first).
    var slots = MembershipInputs.slots(names, List.of(), claims, observation, java.util.Set.of());
    assertThat(slots.get(1).volumeOwner()).isEqualTo(0xbL);
    assertThat(slots.get(2).volumeOwner()).isEqualTo(0xddL); // still the removed member's data
    assertThat(slots.get(3).volumeOwner()).isNull(); // not an ID: treated as never used
  }

  @Test
  void aPodThatExitedForMissingDataIsDataLost() {
    assertThat(MembershipInputs.dataLost(pod(1, "... couldn't find local name \"demo-1\" in the initial cluster"))).isTrue();
    assertThat(MembershipInputs.dataLost(pod(1, "panic: disk full"))).isFalse();
    String empty = "discovery failed: cannot fetch cluster info from peer urls: could not retrieve cluster information";
    assertThat(MembershipInputs.dataLost(pod(1, empty))).as("a joining member says so too").isFalse();
    assertThat(MembershipInputs.dataLostWithoutQuorum(pod(1, empty))).as("every volume gone").isTrue();
    var observation = of(member(0xa, 0, false, true), member(0xb, 1, false, true));
    var observed = MembershipInputs.observed(names, 2, 2, observation,
        List.of(pod(1, "couldn't find local name")), List.of(claim(0, "a"), claim(1, "b")), now, null);
    assertThat(observed.slots().get(1).dataLost()).isTrue();
    assertThat(observed.members()).extracting(MembershipPlanner.Member::ordinal).containsExactly(0, 1);
  }

  @Test
  void aMemberTheRollHoldsIsNeverSeenAsFailed() {
    Pod down = new PodBuilder().withNewMetadata().withName("demo-1").endMetadata().withNewStatus().addNewCondition()
        .withType("Ready").withStatus("False").withLastTransitionTime(now.minusSeconds(3600).toString()).endCondition()
        .endStatus().build();
    var observation = of(member(0xa, 0, false, true), member(0xb, 1, false, false));
    var claims = List.of(claim(0, "a"), claim(1, "b"));
    assertThat(MembershipInputs.slots(names, List.of(down), claims, observation, java.util.Set.of()).get(1).notReadySince())
        .isEqualTo(now.minusSeconds(3600));
    assertThat(MembershipInputs.slots(names, List.of(down), claims, observation, java.util.Set.of("demo-1")).get(1)
        .notReadySince()).isNull();
  }

  @Test
  void theJoinListIsPublishedOnlyWhileAMemberJoins() {
    var steady = of(member(0xa, 0, false, true), member(0xb, 1, false, true));
    assertThat(MembershipInputs.joinList(names, steady, List.of())).isEmpty();
    var joining = of(member(0xa, 0, false, true), member(0xb, 1, false, true), member(0xc, 2, true, false));
    assertThat(MembershipInputs.joinList(names, joining, List.of())).isEqualTo(
        "demo-0=https://demo-0.demo-peer.prod.svc.cluster.local:2380,"
            + "demo-1=https://demo-1.demo-peer.prod.svc.cluster.local:2380,"
            + "demo-2=https://demo-2.demo-peer.prod.svc.cluster.local:2380");
  }
}
