package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.cluster.Member;
import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.PodTemplateSpec;
import io.etcdpilot.operator.api.v1alpha1.SchedulingSpec;
import io.etcdpilot.operator.status.Conditions;
import io.etcdpilot.sandbox.Faults;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** When Kubernetes says no, or something else wears the cluster's label: the operator says so and goes on safely. */
@ExtendWith(TargetExtension.class)
class KubernetesRefusalsE2E {

  @Test
  void scalingPastTheNodesThatFitIsReportedInSecondsAndScalingBackLeavesNoLearner(TargetCluster target)
      throws Exception {
    String ns = "no-room";
    // Zone a has two nodes members may use (its third is dedicated and tainted): a third member has nowhere to go.
    Scenario.readyCluster(target, ns, "etcd", 2, s -> {
      SchedulingSpec scheduling = new SchedulingSpec();
      scheduling.setNodeSelector(Map.of("topology.kubernetes.io/zone", "a"));
      s.setScheduling(scheduling);
    });
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").scale(3);
    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).until(() ->
        target.client().pods().inNamespace(ns).withName("etcd-2").get() != null);
    Instant podCreated = Instant.now();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
      var reconciling = ClusterChecks.condition(ec, Conditions.RECONCILING);
      assertThat(reconciling.getMessage()).contains("etcd-2 cannot be scheduled").contains("nodes are available")
          .contains("anti-affinity");
    });
    System.out.println("unschedulable member reported " + Duration.between(podCreated, Instant.now()).toMillis()
        + " ms after its pod appeared");

    target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").scale(2);
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      try (var c = ClientCredentials.jetcd(urls, creds)) {
        List<Member> members = c.getClusterClient().listMember().get(10, TimeUnit.SECONDS).getMembers();
        assertThat(members).hasSize(2).noneMatch(Member::isLearner);
      }
      assertThat(target.client().apps().statefulSets().inNamespace(ns).withName("etcd").get().getSpec().getReplicas())
          .isEqualTo(2);
    });
    ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(1));
    ClusterChecks.assertExactlyMembers(urls, creds, "etcd", 2);
  }

  @Test
  void podsThatOnlyWearTheClustersLabelAreNeverTreatedAsMembers(TargetCluster target) throws Exception {
    String ns = "foreign";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> { });
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    Map<String, Long> before = ClusterChecks.members(urls, creds);
    // A debugging pod and one whose name ends like a member's, both with the cluster's label (handy for policies).
    for (String name : List.of("etcd-debug", "etcd-7")) {
      target.client().resource(debugPod(ns, name)).create();
    }
    await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(reasons(target, ns))
        .filteredOn("ForeignPodIgnored"::equals).hasSize(2));
    // A roll of every member (a template change) goes by them: they are neither restarted nor waited for.
    Map<String, String> uids = uids(target, ns);
    Scenario.editSpec(target, ns, "etcd", spec -> {
      PodTemplateSpec template = new PodTemplateSpec();
      PodTemplateSpec.Metadata meta = new PodTemplateSpec.Metadata();
      meta.setAnnotations(Map.of("example.com/rolled", "yes"));
      template.setMetadata(meta);
      spec.setPodTemplate(template);
    });
    await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      for (String member : List.of("etcd-0", "etcd-1", "etcd-2")) {
        Pod p = target.client().pods().inNamespace(ns).withName(member).get();
        assertThat(p).isNotNull();
        assertThat(p.getMetadata().getUid()).as(member + " restarted").isNotEqualTo(uids.get(member));
        assertThat(p.getMetadata().getAnnotations()).containsEntry("example.com/rolled", "yes");
      }
      EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
      assertThat(ec.getStatus().getOperation()).isNull();
    });
    for (String name : List.of("etcd-debug", "etcd-7")) {
      assertThat(target.client().pods().inNamespace(ns).withName(name).get().getMetadata().getUid())
          .as(name + " untouched").isEqualTo(uids.get(name));
    }
    ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(1));
    assertThat(ClusterChecks.members(urls, creds)).isEqualTo(before);
    assertThat(reasons(target, ns)).filteredOn("ForeignPodIgnored"::equals).as("told once each").hasSize(2);
  }

  @Test
  void aLabelAnAdmissionPolicyRefusesIsReportedWhileACrashedMemberIsStillReplaced(TargetCluster target)
      throws Exception {
    String ns = "refused-label";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> { });
    List<String> urls = target.clientUrls(ns, "etcd");
    ClientCredentials creds = target.credentials(ns, "etcd");
    // The platform's policy: no StatefulSet of this namespace may carry team=forbidden on its pods.
    String policy = """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: no-forbidden-team}
        spec:
          failurePolicy: Fail
          matchConstraints:
            resourceRules:
            - {apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["statefulsets"]}
          validations:
          - expression: "!has(object.spec.template.metadata.labels) || !('team' in object.spec.template.metadata.labels) || object.spec.template.metadata.labels['team'] != 'forbidden'"
            message: "team=forbidden is not allowed here"
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata: {name: no-forbidden-team}
        spec:
          policyName: no-forbidden-team
          validationActions: [Deny]
          matchResources:
            namespaceSelector:
              matchLabels: {kubernetes.io/metadata.name: refused-label}
        """;
    try {
      target.client().load(new ByteArrayInputStream(policy.getBytes(StandardCharsets.UTF_8))).create();
      // The policy takes effect once the API server has loaded it: a dry-run update tells.
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
        var sts = target.client().apps().statefulSets().inNamespace(ns).withName("etcd").get();
        sts.getSpec().getTemplate().getMetadata().getLabels().put("team", "forbidden");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> target.client().resource(sts).dryRun().update())
            .hasMessageContaining("team=forbidden");
      });
      Map<String, Long> before = ClusterChecks.members(urls, creds);
      try (WriteLoad load = new WriteLoad(urls, () -> target.credentials(ns, "etcd"), "/refused/")) {
        load.awaitMore(100, Duration.ofSeconds(30));
        Scenario.editSpec(target, ns, "etcd", spec -> {
          PodTemplateSpec template = new PodTemplateSpec();
          PodTemplateSpec.Metadata meta = new PodTemplateSpec.Metadata();
          meta.setLabels(Map.of("team", "forbidden"));
          template.setMetadata(meta);
          spec.setPodTemplate(template);
        });
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          EtcdCluster ec = target.client().resources(EtcdCluster.class).inNamespace(ns).withName("etcd").get();
          var stalled = ClusterChecks.condition(ec, Conditions.STALLED);
          assertThat(stalled.getStatus()).isEqualTo("True");
          assertThat(stalled.getReason()).isEqualTo("ChangeRefused");
          assertThat(stalled.getMessage()).contains("StatefulSet etcd").contains("team=forbidden is not allowed here");
        });
        assertThat(reasons(target, ns)).contains("ApplyRefused");

        // Meanwhile a member loses its data: it is replaced as ever, the refused template notwithstanding.
        target.fault(ns, "etcd-1", Faults.Fault.wipe_data);
        // A learner answers the member list with "rpc not supported for learner" while it joins: asked again.
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
          Map<String, Long> now = ClusterChecks.members(urls, creds);
          assertThat(now).containsOnlyKeys("etcd-0", "etcd-1", "etcd-2");
          assertThat(now.get("etcd-1")).as("etcd-1 replaced").isNotEqualTo(before.get("etcd-1"));
          try (var c = ClientCredentials.jetcd(urls, creds)) {
            assertThat(c.getClusterClient().listMember().get(10, TimeUnit.SECONDS).getMembers())
                .noneMatch(Member::isLearner);
          }
        });
        ClusterChecks.awaitReady(target, ns, "etcd", Duration.ofMinutes(2));
        load.awaitMore(100, Duration.ofSeconds(30));
        assertThat(load.stopAndVerify().missing()).as("acknowledged writes lost").isEmpty();
      }
      assertThat(reasons(target, ns)).contains("ReplacingMember", "MemberPromoted");
      ClusterChecks.assertHashKvEqual(urls, creds);
    } finally {
      target.client().load(new ByteArrayInputStream(policy.getBytes(StandardCharsets.UTF_8))).delete();
    }
  }

  /** A pod that only wears the cluster's label, admitted under Pod Security restricted. */
  static Pod debugPod(String ns, String name) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns)
        .addToLabels("etcdpilot.io/cluster", "etcd").addToLabels("app.kubernetes.io/instance", "etcd").endMetadata()
        .withNewSpec()
          .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(65532L)
            .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
          .addNewContainer().withName("debug").withImage("busybox:1.36").withCommand("sleep", "infinity")
            .withNewSecurityContext().withAllowPrivilegeEscalation(false)
              .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
          .endContainer()
        .endSpec().build();
  }

  static Map<String, String> uids(TargetCluster target, String ns) {
    Map<String, String> out = new java.util.HashMap<>();
    target.client().pods().inNamespace(ns).list().getItems().forEach(p -> out.put(p.getMetadata().getName(),
        p.getMetadata().getUid()));
    return out;
  }

  static List<String> reasons(TargetCluster target, String ns) {
    return target.client().v1().events().inNamespace(ns).list().getItems().stream().map(Event::getReason).toList();
  }
}
