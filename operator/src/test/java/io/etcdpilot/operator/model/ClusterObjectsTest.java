package io.etcdpilot.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterSpec;
import io.etcdpilot.operator.api.v1alpha1.PodTemplateSpec;
import io.etcdpilot.operator.api.v1alpha1.SchedulingSpec;
import io.etcdpilot.operator.api.v1alpha1.StorageSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ClusterObjectsTest {
  static EtcdCluster cluster(int replicas) {
    EtcdCluster c = new EtcdCluster();
    c.setMetadata(new ObjectMetaBuilder().withName("demo").withNamespace("ns1").withUid("0123456789abcdef").build());
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setReplicas(replicas);
    spec.setVersion("3.5.16");
    c.setSpec(spec);
    return c;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 5})
  void objectsForEverySize(int replicas) {
    ClusterObjects o = new ClusterObjects(cluster(replicas), "cluster.local");
    StatefulSet sts = o.statefulSet();
    assertThat(sts.getSpec().getReplicas()).isEqualTo(replicas);
    assertThat(sts.getSpec().getServiceName()).isEqualTo("demo-peer");
    assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
    assertThat(sts.getSpec().getSelector().getMatchLabels())
        .containsEntry("app.kubernetes.io/instance", "demo").containsEntry("etcdpilot.io/cluster", "demo");
    assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(sts.getSpec().getSelector().getMatchLabels());
    assertThat(o.podDisruptionBudget().getSpec().getMinAvailable().getIntVal()).isEqualTo(Quorum.of(replicas));
    assertThat(o.podDisruptionBudget(5).getSpec().getMinAvailable().getIntVal()).as("mid 5→3").isEqualTo(3);
    assertThat(o.podDisruptionBudget().getSpec().getSelector().getMatchLabels())
        .containsEntry("etcdpilot.io/voter", "true").containsEntry("etcdpilot.io/cluster", "demo");
    String[] initial = o.names().initialCluster(replicas, o.tls()).split(",");
    assertThat(initial).hasSize(replicas);
    assertThat(initial[0]).isEqualTo("demo-0=https://demo-0.demo-peer.ns1.svc.cluster.local:2380");
    assertThat(o.stateConfigMap("new", o.names().initialCluster(replicas, o.tls()), null).getData())
        .containsEntry("initial-cluster-state", "new");
  }

  @Test
  void statefulSetRunsEtcdSafely() {
    StatefulSet sts = new ClusterObjects(cluster(3), "cluster.local").statefulSet();
    var pod = sts.getSpec().getTemplate().getSpec();
    Container etcd = pod.getContainers().get(0);
    assertThat(etcd.getImage()).isEqualTo("gcr.io/etcd-development/etcd:v3.5.16");
    assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThanOrEqualTo(30L);
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(etcd.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(etcd.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(etcd.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
    assertThat(etcd.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(2381);
    assertThat(etcd.getLivenessProbe().getTcpSocket()).isNotNull();
    assertThat(etcd.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactly("/var/lib/etcd", "/etc/etcdpilot/tls");
    assertThat(pod.getVolumes()).singleElement().satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("demo-member-tls"));
    assertThat(etcd.getArgs()).contains("--cert-file=/etc/etcdpilot/tls/$(POD_NAME)-server.crt",
        "--peer-cert-file=/etc/etcdpilot/tls/$(POD_NAME)-peer.crt", "--client-cert-auth=true", "--peer-client-cert-auth=true");
    assertThat(pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution())
        .singleElement().satisfies(t -> assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
    assertThat(etcd.getEnv()).extracting(e -> e.getName())
        .contains("POD_NAME", "POD_IP", "INITIAL_CLUSTER", "INITIAL_CLUSTER_STATE")
        .noneMatch(n -> n.startsWith("ETCD_")); // etcd reads ETCD_* itself and refuses duplicates of flags
    var claim = sts.getSpec().getVolumeClaimTemplates().get(0);
    assertThat(claim.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("8Gi");
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Retain");
  }

  @Test
  void schedulingStorageAndPodMetadataFromSpec() {
    EtcdCluster c = cluster(3);
    SchedulingSpec s = new SchedulingSpec();
    s.setNodeSelector(Map.of("disk", "ssd"));
    s.setTolerations(List.of(new TolerationBuilder().withKey("dedicated").withValue("etcd").withEffect("NoSchedule").build()));
    s.setPriorityClassName("system-cluster-critical");
    c.getSpec().setScheduling(s);
    StorageSpec st = new StorageSpec();
    st.setSize("20Gi");
    st.setStorageClassName("fast-ssd");
    st.setOnDelete(StorageSpec.VolumePolicy.Delete);
    c.getSpec().setStorage(st);
    PodTemplateSpec pt = new PodTemplateSpec();
    PodTemplateSpec.Metadata md = new PodTemplateSpec.Metadata();
    md.setLabels(Map.of("team", "infra", "app.kubernetes.io/instance", "hijack"));
    md.setAnnotations(Map.of("prometheus.io/scrape", "true"));
    pt.setMetadata(md);
    c.getSpec().setPodTemplate(pt);
    c.getSpec().setImage("registry.local/etcd:v3.5.16-fips");

    StatefulSet sts = new ClusterObjects(c, "cluster.local").statefulSet();
    var pod = sts.getSpec().getTemplate();
    assertThat(pod.getSpec().getNodeSelector()).containsEntry("disk", "ssd");
    assertThat(pod.getSpec().getTolerations()).hasSize(1);
    assertThat(pod.getSpec().getPriorityClassName()).isEqualTo("system-cluster-critical");
    assertThat(pod.getMetadata().getLabels()).containsEntry("team", "infra").containsEntry("app.kubernetes.io/instance", "demo");
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("prometheus.io/scrape", "true");
    assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo("registry.local/etcd:v3.5.16-fips");
    var claim = sts.getSpec().getVolumeClaimTemplates().get(0);
    assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast-ssd");
    assertThat(claim.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("20Gi");
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Delete");
  }

  @Test
  void tlsOffLeavesNoCertificateWiring() {
    EtcdCluster c = cluster(3);
    io.etcdpilot.operator.api.v1alpha1.TlsSpec off = new io.etcdpilot.operator.api.v1alpha1.TlsSpec();
    off.setEnabled(false);
    c.getSpec().setTls(off);
    ClusterObjects o = new ClusterObjects(c, "cluster.local");
    var pod = o.statefulSet(new MemberTrust("abc", null)).getSpec().getTemplate();
    assertThat(pod.getSpec().getVolumes()).isNullOrEmpty();
    assertThat(pod.getSpec().getContainers().get(0).getArgs()).noneMatch(a -> a.contains("https") || a.contains("cert"));
    assertThat(pod.getMetadata().getAnnotations()).isNull();
  }

  @Test
  void trustBundleChangeChangesThePodTemplate() {
    ClusterObjects o = new ClusterObjects(cluster(3), "cluster.local");
    assertThat(o.statefulSet(new MemberTrust("one", null)).getSpec().getTemplate()).isNotEqualTo(o.statefulSet(new MemberTrust("two", null)).getSpec().getTemplate());
  }

  @Test
  void requiringThePeerNameChangesThePodTemplate() {
    ClusterObjects o = new ClusterObjects(cluster(3), "cluster.local");
    var open = o.statefulSet(new MemberTrust("one", null)).getSpec().getTemplate();
    var restricted = o.statefulSet(new MemberTrust("one", "demo-peer.ns1.svc.cluster.local")).getSpec().getTemplate();
    assertThat(restricted).isNotEqualTo(open);
    assertThat(restricted.getSpec().getContainers().get(0).getArgs())
        .contains("--peer-cert-allowed-hostname=demo-peer.ns1.svc.cluster.local");
  }

  @Test
  void servicesPublishMembersBeforeTheyAreReady() {
    ClusterObjects o = new ClusterObjects(cluster(3), "cluster.local");
    assertThat(o.peerService().getSpec().getClusterIP()).isEqualTo("None");
    assertThat(o.peerService().getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(o.clientService().getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(2379));
    assertThat(o.clusterToken()).isEqualTo("demo-01234567");
  }
}
