package io.etcdpilot.operator.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterObservationTest {
  static ObservedMember member(long id, boolean reachable, boolean learner, long term, long leader) {
    return new ObservedMember(id, "m" + id, List.of("https://m" + id + ":2380"), List.of("https://m" + id + ":2379"),
        learner, reachable, "3.5.16", 0, 100, term, leader, null);
  }

  static ClusterObservation of(ObservedMember... members) {
    return new ClusterObservation(true, 1, List.of(members), null);
  }

  @Test
  void leaderIsWhomAMajorityOfReachableVotersFollowAtTheHighestTerm() {
    assertThat(of(member(1, true, false, 5, 1), member(2, true, false, 5, 1), member(3, true, false, 5, 1)).leader())
        .map(ObservedMember::id).contains(1L);
    // One member still believes in the previous leader of an older term: outvoted.
    assertThat(of(member(1, true, false, 4, 1), member(2, true, false, 5, 3), member(3, true, false, 5, 3)).leader())
        .map(ObservedMember::id).contains(3L);
    // An unreachable member's opinion does not count; two of two reachable agree.
    assertThat(of(member(1, false, false, 0, 0), member(2, true, false, 5, 2), member(3, true, false, 5, 2)).leader())
        .map(ObservedMember::id).contains(2L);
  }

  @Test
  void noAgreementMeansNoLeader() {
    // Mid-election: the highest term has no majority behind one leader.
    assertThat(of(member(1, true, false, 6, 0), member(2, true, false, 6, 2), member(3, true, false, 5, 1)).leader()).isEmpty();
    // Only a lagging member at an old term names a leader.
    assertThat(of(member(1, true, false, 4, 1), member(2, true, false, 5, 0), member(3, true, false, 5, 0)).leader()).isEmpty();
    assertThat(of(member(1, true, false, 1, 0)).leader()).as("bootstrapping").isEmpty();
    assertThat(ClusterObservation.unreachable("down").leader()).isEmpty();
  }

  @Test
  void learnersDoNotVote() {
    assertThat(of(member(1, true, false, 5, 1), member(2, true, false, 5, 1), member(3, false, false, 0, 0),
        member(4, true, true, 5, 9)).leader()).map(ObservedMember::id).contains(1L);
  }
}
