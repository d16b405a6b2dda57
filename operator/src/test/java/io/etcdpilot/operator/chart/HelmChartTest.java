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
  void monitoringObjectsAreRenderedOnlyWhenAskedAndShipTheTestedRules(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    List<HasMetadata> plain = Serialization.unmarshal(new Helm(CHART).template().withName("etcdpilot").withNamespace("ops").call());
    assertThat(plain).extracting(HasMetadata::getKind).doesNotContain("ServiceMonitor", "PodMonitor", "PrometheusRule");
    Path values = tmp.resolve("values.yaml");
    java.nio.file.Files.writeString(values, "monitoring: {serviceMonitor: {enabled: true}, podMonitor: {enabled: true},"
        + " prometheusRule: {enabled: true, labels: {release: kube-prometheus}}}\nwatchNamespaces: [team-a]\n");
    List<HasMetadata> objects = Serialization.unmarshal(new Helm(CHART).template().withName("etcdpilot")
        .withNamespace("ops").withValuesFile(values).call());
    var byKind = new java.util.HashMap<String, io.fabric8.kubernetes.api.model.GenericKubernetesResource>();
    objects.stream().filter(o -> o instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource)
        .forEach(o -> byKind.put(o.getKind(), (io.fabric8.kubernetes.api.model.GenericKubernetesResource) o));
    assertThat(byKind).containsKeys("ServiceMonitor", "PodMonitor", "PrometheusRule");
    assertThat(objects).anyMatch(o -> o.getKind().equals("Service") && o.getMetadata().getName().equals("etcdpilot-metrics"));
    var rule = byKind.get("PrometheusRule");
    assertThat(rule.getMetadata().getLabels()).containsEntry("release", "kube-prometheus");
    // The same groups promtool tests, with Prometheus' own {{ $labels }} templates untouched by Helm.
    Object shipped = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
        .readValue(CHART.resolve("files/prometheus-rules.yaml").toFile(), java.util.Map.class).get("groups");
    assertThat(rule.getAdditionalProperties().get("spec")).isEqualTo(java.util.Map.of("groups", shipped));
    var pod = byKind.get("PodMonitor");
    @SuppressWarnings("unchecked")
    var spec = (java.util.Map<String, Object>) pod.getAdditionalProperties().get("spec");
    assertThat(spec.get("namespaceSelector")).isEqualTo(java.util.Map.of("matchNames", List.of("team-a")));
    assertThat(spec.toString()).contains("etcd_cluster", "replacement=etcd", "port=metrics");
    // The operator's cluster gauges carry the cluster's namespace: it must not be renamed to exported_namespace.
    assertThat(byKind.get("ServiceMonitor").getAdditionalProperties().get("spec").toString()).contains("honorLabels=true");
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
    assertThat(deployment.getSpec().getReplicas()).as("HA by default").isEqualTo(2);
    assertThat(container.getArgs()).contains("--health-address=$(POD_IP)");
    assertThat(container.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("POD_IP");
      assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
    });
    // What the chart passes is what the operator accepts, once the kubelet has expanded $(POD_IP).
    var options = io.etcdpilot.operator.OperatorOptions.parse(container.getArgs().stream()
        .map(a -> a.replace("$(POD_IP)", "10.0.0.7")).toArray(String[]::new), java.util.Map.of());
    assertThat(options.healthAddress()).isEqualTo("10.0.0.7");
    assertThat(options.learnerDeadline()).isEqualTo(java.time.Duration.ofSeconds(90));
    assertThat(options.failedMemberDeadline()).isEqualTo(java.time.Duration.ofMinutes(10));
    assertThat(options.upgradeProgressDeadline()).isEqualTo(java.time.Duration.ofMinutes(10));
    assertThat(container.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("WATCH_NAMESPACES");
      assertThat(e.getValue()).isEqualTo("team-a,team-b");
    });
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    // A replica still syncing its informers is given time before liveness may restart it.
    assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getStartupProbe().getPeriodSeconds() * container.getStartupProbe().getFailureThreshold())
        .isGreaterThanOrEqualTo(120);

    // Watched namespaces: a Role in each, no cluster-wide grant (Secrets in every namespace were one). The only
    // ClusterRoles are for people, aggregated into Kubernetes' own roles, and bound to nobody here.
    assertThat(objects).noneMatch(o -> o instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding);
    assertThat(objects).filteredOn(o -> o instanceof ClusterRole).extracting(o -> o.getMetadata().getName())
        .containsExactlyInAnyOrder("etcdpilot-view", "etcdpilot-edit");
    ClusterRole edit = objects.stream().filter(o -> o instanceof ClusterRole && o.getMetadata().getName().equals(
        "etcdpilot-edit")).map(ClusterRole.class::cast).findFirst().orElseThrow();
    assertThat(edit.getMetadata().getLabels()).containsEntry("rbac.authorization.k8s.io/aggregate-to-edit", "true");
    assertThat(allows(edit.getRules(), "etcdpilot.io", "etcdsnapshots", "create")).isTrue();
    assertThat(edit.getRules()).noneMatch(r -> r.getResources().contains("secrets"));
    List<Role> perNamespace = objects.stream().filter(o -> o instanceof Role && o.getMetadata().getName().equals("etcdpilot"))
        .map(Role.class::cast).toList();
    assertThat(perNamespace).extracting(r -> r.getMetadata().getNamespace()).containsExactly("team-a", "team-b");
    assertThat(objects).filteredOn(o -> o instanceof io.fabric8.kubernetes.api.model.rbac.RoleBinding
        && o.getMetadata().getName().equals("etcdpilot")).extracting(o -> o.getMetadata().getNamespace())
        .containsExactly("team-a", "team-b");
    var role = perNamespace.get(0);
    // All namespaces: the same rules, in one ClusterRole.
    ClusterRole clusterRole = Serialization.<List<HasMetadata>>unmarshal(new Helm(CHART).template().withName("etcdpilot")
        .withNamespace("ops").call()).stream().filter(o -> o instanceof ClusterRole
            && o.getMetadata().getName().equals("etcdpilot")).map(ClusterRole.class::cast).findFirst().orElseThrow();
    assertThat(clusterRole.getRules()).isEqualTo(role.getRules());
    assertThat(allows(role.getRules(), "etcdpilot.io", "etcdclusters/status", "update")).isTrue();
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
    Role leases = objects.stream().filter(o -> o instanceof Role && o.getMetadata().getName().endsWith("-leader-election"))
        .map(Role.class::cast).findFirst().orElseThrow();
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
