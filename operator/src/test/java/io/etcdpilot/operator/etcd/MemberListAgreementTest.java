package io.etcdpilot.operator.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Deciding from etcd 3.4's member lists: only one a majority of its own voters gave. */
class MemberListAgreementTest {
  /** A member list as the voters and learners it names ("a,b,c" voters, "+d" a learner). */
  record Answer(String members) {
    int voters() {
      return (int) List.of(members.split(",")).stream().filter(m -> !m.startsWith("+")).count();
    }
  }

  static java.util.Optional<Answer> decide(String... answers) {
    return MemberListAgreement.majority(List.of(answers).stream().map(Answer::new).toList(), Answer::members,
        Answer::voters);
  }

  @Test
  void allAgree() {
    assertThat(decide("a,b,c", "a,b,c", "a,b,c")).contains(new Answer("a,b,c"));
  }

  @Test
  void aLaggingMemberMeansWaitingForIt() {
    // d was just added as a voter; c has not applied it yet: one pass later it has.
    assertThat(decide("a,b,c,d", "a,b,c,d", "a,b,c", "a,b,c,d")).isEmpty();
  }

  @Test
  void twoListsEachWithSupportAreNoAnswer() {
    // Two of the old list's three voters still give it: alone that would be a majority of its voters.
    assertThat(decide("a,b,c,d", "a,b,c,d", "a,b,c", "a,b,c")).isEmpty();
  }

  @Test
  void aMemberThatDoesNotAnswerLeavesTheRestToDecide() {
    assertThat(decide("a,b,c,d,e", "a,b,c,d,e", "a,b,c,d,e")).contains(new Answer("a,b,c,d,e"));
    assertThat(decide("a,b,c,d,e", "a,b,c,d,e")).isEmpty();
  }

  @Test
  void aSingleAnswerOfAThreeMemberListIsNotEnough() {
    // Only one member answered: its list may lag, nothing confirms it.
    assertThat(decide("a,b,c")).isEmpty();
    assertThat(decide("a,b,c", "a,b,c")).contains(new Answer("a,b,c"));
  }

  @Test
  void learnersDoNotCountAsVoters() {
    assertThat(decide("a,b,c,+d", "a,b,c,+d")).contains(new Answer("a,b,c,+d"));
  }
}
