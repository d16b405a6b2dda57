package io.etcdpilot.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorOptionsTest {
  @Test
  void defaultsWatchAllNamespacesWithLeaderElection() {
    OperatorOptions o = OperatorOptions.parse(new String[0], Map.of());
    assertThat(o.namespaces()).isEmpty();
    assertThat(o.leaderElection()).isTrue();
    assertThat(o.clusterDomain()).isEqualTo("cluster.local");
    assertThat(o.leaderElectionNamespace()).isEqualTo("default");
  }

  @Test
  void flagsInBothFormsWinOverEnvironment() {
    OperatorOptions o = OperatorOptions.parse(new String[] {"--namespaces=a, b", "--cluster-domain", "corp.local",
        "--leader-election=false", "--kubeconfig", "/tmp/k"}, Map.of("WATCH_NAMESPACES", "x", "POD_NAMESPACE", "ops"));
    assertThat(o.namespaces()).containsExactly("a", "b");
    assertThat(o.clusterDomain()).isEqualTo("corp.local");
    assertThat(o.leaderElection()).isFalse();
    assertThat(o.kubeconfig()).isEqualTo("/tmp/k");
    assertThat(o.leaderElectionNamespace()).isEqualTo("ops");
  }

  @Test
  void healthAddressIsAnIpLiteralOrEveryAddress() {
    assertThat(OperatorOptions.parse(new String[0], Map.of()).healthAddress()).isEmpty();
    assertThat(OperatorOptions.parse(new String[] {"--health-address=10.1.2.3"}, Map.of()).healthAddress()).isEqualTo("10.1.2.3");
    assertThat(OperatorOptions.parse(new String[0], Map.of("HEALTH_ADDRESS", "fd00::5")).healthAddress()).isEqualTo("fd00:0:0:0:0:0:0:5");
    // $(POD_IP) left unexpanded (the env var missing from the pod) must stop the operator, not bind somewhere else.
    assertThatThrownBy(() -> OperatorOptions.parse(new String[] {"--health-address=$(POD_IP)"}, Map.of()))
        .hasMessageContaining("--health-address").hasMessageContaining("$(POD_IP)");
    assertThatThrownBy(() -> OperatorOptions.parse(new String[] {"--health-address", "localhost"}, Map.of()))
        .hasMessageContaining("--health-address: expected an IP address");
  }

  @Test
  void unknownFlagIsRefusedWithUsage() {
    assertThatThrownBy(() -> OperatorOptions.parse(new String[] {"--bogus"}, Map.of()))
        .hasMessageContaining("unknown option --bogus").hasMessageContaining("usage:");
  }

  @Test
  void deadlinesFromFlagsOrEnvironmentAndABadOneNamesItsFlag() {
    OperatorOptions o = OperatorOptions.parse(new String[] {"--learner-deadline=90s"}, Map.of("FAILED_MEMBER_DEADLINE", "1h"));
    assertThat(o.learnerDeadline()).isEqualTo(java.time.Duration.ofSeconds(90));
    assertThat(o.failedMemberDeadline()).isEqualTo(java.time.Duration.ofHours(1));
    assertThat(OperatorOptions.parse(new String[0], Map.of()).learnerDeadline()).isEqualTo(java.time.Duration.ofMinutes(5));
    assertThatThrownBy(() -> OperatorOptions.parse(new String[] {"--failed-member-deadline", "soon"}, Map.of()))
        .hasMessageContaining("--failed-member-deadline").hasMessageContaining("'soon'");
  }

  @Test
  void upgradeMinimumsAreOverriddenPerMinorAndABadOneIsRefusedAtStart() {
    OperatorOptions o = OperatorOptions.parse(new String[] {"--upgrade-minimum=3.5=3.5.26", "--upgrade-minimum", "3.6=3.6.12"},
        Map.of());
    assertThat(o.upgradeMinimums()).containsEntry("3.5", "3.5.26").containsEntry("3.6", "3.6.12");
    assertThatThrownBy(() -> OperatorOptions.parse(new String[] {"--upgrade-minimum", "3.5=3.6.1"}, Map.of()))
        .hasMessageContaining("--upgrade-minimum").hasMessageContaining("not a 3.5 release");
    assertThatThrownBy(() -> OperatorOptions.parse(new String[] {"--upgrade-minimum", "3.5.26"}, Map.of()))
        .hasMessageContaining("expected MINOR=VERSION");
  }
}
