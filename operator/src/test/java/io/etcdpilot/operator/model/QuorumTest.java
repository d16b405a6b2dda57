package io.etcdpilot.operator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class QuorumTest {
  @ParameterizedTest
  @CsvSource({"1,1,0", "2,2,0", "3,2,1", "4,3,1", "5,3,2", "6,4,2", "7,4,3", "9,5,4"})
  void majorityAndFaultTolerance(int voters, int quorum, int tolerance) {
    assertThat(Quorum.of(voters)).isEqualTo(quorum);
    assertThat(Quorum.faultTolerance(voters)).isEqualTo(tolerance);
  }

  @Test
  void noQuorumWithoutVoters() {
    assertThatThrownBy(() -> Quorum.of(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
