package io.etcdpilot.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chart lints cleanly and grants the operator exactly what it does. */
class HelmChartTest {
  static final Path CHART = Path.of("../charts/etcdpilot");

  @Test
  void chartLintsStrictly() {
    LintResult result = new Helm(CHART).lint().strict().call();
    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
  }

  @Test
  void renderedChartRunsTheOperatorWithLeastPrivilege(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path values = tmp.resolve("values.yaml");
    java.nio.file.Files.writeString(values, "watchNamespaces: [team-a, team-b]\nlearnerDeadline: 90s\n");
    String yaml = new Helm(CHART).template().withName("etcdpilot").withNamespace("ops").withValuesFile(values).call();
    List<HasMetadata> objects = Serialization.unmarshal(yaml);
    Deployment deployment = find(objects, Deployment.class);
    var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getArgs()).contains("--leader-election=true", "--health-port=8081");
    // What the chart passes is what the operator accepts.
    var options = io.etcdpilot.operator.OperatorOptions.parse(container.getArgs().toArray(String[]::new), java.util.Map.of());
    assertThat(options.learnerDeadline()).isEqualTo(java.time.Duration.ofSeconds(90));
    assertThat(options.failedMemberDeadline()).isEqualTo(java.time.Duration.ofMinutes(10));
    assertThat(options.upgradeProgressDeadline()).isEqualTo(java.time.Duration.ofMinutes(10));
    assertThat(container.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("WATCH_NAMESPACES");
      assertThat(e.getValue()).isEqualTo("team-a,team-b");
    });
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");

    ClusterRole role = find(objects, ClusterRole.class);
    assertThat(allows(role.getRules(), "etcdpilot.io", "etcdclusters/status", "patch")).isTrue();
    assertThat(allows(role.getRules(), "", "secrets", "create")).isTrue();
    assertThat(allows(role.getRules(), "", "pods", "delete")).isTrue();
    assertThat(allows(role.getRules(), "", "pods", "patch")).as("voter label for the PodDisruptionBudget").isTrue();
    assertThat(allows(role.getRules(), "apps", "statefulsets", "update")).isTrue();
    // Member replacement labels data claims and deletes a replaced member's old one.
    for (String verb : List.of("list", "patch", "delete")) {
      assertThat(allows(role.getRules(), "", "persistentvolumeclaims", verb)).as("claims: " + verb).isTrue();
    }
    assertThat(allows(role.getRules(), "etcdpilot.io", "etcdclusters", "update")).as("never writes spec").isFalse();
    assertThat(allows(role.getRules(), "", "pods", "create")).isFalse();
    assertThat(role.getRules()).noneMatch(r -> r.getResources().contains("*") || r.getVerbs().contains("*"));
    Role leases = find(objects, Role.class);
    assertThat(leases.getMetadata().getNamespace()).isEqualTo("ops");
    assertThat(allows(leases.getRules(), "coordination.k8s.io", "leases", "update")).isTrue();
  }

  static boolean allows(List<PolicyRule> rules, String group, String resource, String verb) {
    return rules.stream().anyMatch(r -> r.getApiGroups().contains(group) && r.getResources().contains(resource)
        && r.getVerbs().contains(verb));
  }

  static <T extends HasMetadata> T find(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
  }
}
