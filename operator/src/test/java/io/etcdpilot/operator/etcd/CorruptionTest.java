package io.etcdpilot.operator.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CorruptionTest {
  static final Set<Long> VOTERS = Set.of(1L, 2L, 3L);
  static final EtcdAlarm ANONYMOUS = new EtcdAlarm(0, EtcdAlarm.Type.CORRUPT);

  static Corruption.Hash hash(long id, long hash) {
    return new Corruption.Hash(id, 500, 400, hash);
  }

  @Test
  void etcdNamesTheMember() {
    Corruption c = Corruption.judge(List.of(new EtcdAlarm(2, EtcdAlarm.Type.CORRUPT)), VOTERS, List.of());
    assertThat(c.decided()).isTrue();
    assertThat(c.corrupt()).containsExactly(2L);
    Corruption gone = Corruption.judge(List.of(new EtcdAlarm(9, EtcdAlarm.Type.CORRUPT)), VOTERS, List.of());
    assertThat(gone.decided()).isTrue();
    assertThat(gone.corrupt()).as("replaced already: nothing left to replace, the alarm can go").isEmpty();
  }

  @Test
  void anAnonymousAlarmIsDecidedByTheMajoritysHash() {
    Corruption c = Corruption.judge(List.of(ANONYMOUS), VOTERS, List.of(hash(1, 7), hash(2, 8), hash(3, 7)));
    assertThat(c.decided()).isTrue();
    assertThat(c.corrupt()).containsExactly(2L);
    assertThat(c.detail()).contains("2", "revision 500");
    Corruption agree = Corruption.judge(List.of(ANONYMOUS), VOTERS, List.of(hash(1, 7), hash(2, 7), hash(3, 7)));
    assertThat(agree.decided()).isTrue();
    assertThat(agree.corrupt()).isEmpty();
  }

  @Test
  void undecidedWithoutAMajorityOrEveryVotersAnswerAtOneRevision() {
    assertThat(Corruption.judge(List.of(ANONYMOUS), VOTERS, List.of(hash(1, 7), hash(2, 8), hash(3, 9))).decided())
        .isFalse();
    assertThat(Corruption.judge(List.of(ANONYMOUS), VOTERS, List.of(hash(1, 7), hash(2, 8))).decided())
        .as("one voter did not answer: the two could be one right, one wrong").isFalse();
    assertThat(Corruption.judge(List.of(ANONYMOUS), VOTERS, List.of(hash(1, 7), hash(2, 7),
        new Corruption.Hash(3, 501, 400, 7))).decided()).isFalse();
    assertThat(Corruption.judge(List.of(ANONYMOUS), Set.of(1L, 2L), List.of(hash(1, 7), hash(2, 8))).decided())
        .as("two members that differ: no majority").isFalse();
  }
}
