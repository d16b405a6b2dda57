package io.etcdpilot.operator.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DefragRuleTest {
  static final long MIB = 1 << 20;

  @ParameterizedTest(name = "size {0} MiB, in use {1} MiB, quota {2} MiB -> {3}")
  @CsvSource({
      // free >= 100 MiB and >= 45 % of the file
      "1000, 500, 2048, true",
      "1000, 560, 2048, false",   // 440 MiB free, but 44 % of the file
      "150, 50, 2048, true",      // exactly 100 MiB, 67 %
      "149, 50, 2048, false",     // 99 MiB: not worth the pause
      // near the quota (>= 80 %) with at least 10 % of the file to give back
      "1700, 1520, 2048, true",   // 83 %, 180 MiB (10.6 %) free
      "1700, 1540, 2048, false",  // 83 %, 160 MiB (9.4 %) free
      "1600, 1400, 2048, false",  // 78 % of the quota; 200 MiB free is 12.5 % of the file
      "0, 0, 2048, false",
  })
  void theDefaultRule(long size, long inUse, long quota, boolean expected) {
    assertThat(DefragRule.defaultRule().holds(new DbSizes(size * MIB, inUse * MIB, quota * MIB))).isEqualTo(expected);
  }

  @Test
  void aUserRuleOverTheSameNames() throws Exception {
    DefragRule rule = DefragRule.of("dbQuotaUsage > 0.5 || dbSizeFree > 8 * 1024 * 1024");
    assertThat(rule.holds(new DbSizes(9 * MIB, 0, 100 * MIB))).isTrue();
    assertThat(rule.holds(new DbSizes(51 * MIB, 50 * MIB, 100 * MIB))).isTrue();
    assertThat(rule.holds(new DbSizes(40 * MIB, 39 * MIB, 100 * MIB))).isFalse();
    assertThat(DefragRule.of("dbSizeInUse < dbSize && dbQuota > 0").holds(new DbSizes(2, 1, 3))).isTrue();
    assertThat(DefragRule.of(null)).isSameAs(DefragRule.defaultRule());
    assertThat(DefragRule.of("  ")).isSameAs(DefragRule.defaultRule());
  }

  @Test
  void aBadRuleIsRefusedWithCelsWords() {
    assertThatThrownBy(() -> DefragRule.of("dbSize >")).isInstanceOf(DefragRule.Invalid.class)
        .hasMessageContaining("dbSize >");
    assertThatThrownBy(() -> DefragRule.of("dbSize + 1")).isInstanceOf(DefragRule.Invalid.class)
        .hasMessageContaining("bool");
    assertThatThrownBy(() -> DefragRule.of("dbFree > 1")).isInstanceOf(DefragRule.Invalid.class)
        .hasMessageContaining("dbFree");
    assertThatThrownBy(() -> DefragRule.of("dbQuotaUsage > 1")).as("a double compared with an int")
        .isInstanceOf(DefragRule.Invalid.class);
  }

  @Test
  void aRuleThatFailsOnSomeSizesSaysSo() throws Exception {
    DefragRule overflowing = DefragRule.of("dbSize * 9223372036854775807 > 0");
    assertThatThrownBy(() -> overflowing.holds(new DbSizes(2, 1, 3))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("overflow");
  }
}
