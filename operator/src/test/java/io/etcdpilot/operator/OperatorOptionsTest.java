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
  void unknownFlagIsRefusedWithUsage() {
    assertThatThrownBy(() -> OperatorOptions.parse(new String[] {"--bogus"}, Map.of()))
        .hasMessageContaining("unknown option --bogus").hasMessageContaining("usage:");
  }
}
