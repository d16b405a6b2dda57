package io.etcdpilot.operator.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.membership.JoinList.Entry;
import java.util.List;
import org.junit.jupiter.api.Test;

class JoinListTest {
  @Test
  void emptyWhenNobodyJoinsSoAMemberWithoutDataCannotRejoinByItself() {
    assertThat(JoinList.of(List.of(new Entry("a-0", "https://a-0:2380", false), new Entry("a-1", "https://a-1:2380", false))))
        .isEmpty();
  }

  @Test
  void everyMemberWhileOneJoins() {
    assertThat(JoinList.of(List.of(new Entry("a-0", "https://a-0:2380", false), new Entry("a-1", "https://a-1:2380", true))))
        .isEqualTo("a-0=https://a-0:2380,a-1=https://a-1:2380");
  }
}
