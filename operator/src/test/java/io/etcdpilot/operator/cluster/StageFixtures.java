package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterSpec;
import io.etcdpilot.operator.api.v1alpha1.TlsSpec;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.ClusterObjects;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Records the stage tests start from: a cluster and what the caches would hold for it. */
final class StageFixtures {
  static final ClusterNames NAMES = new ClusterNames("demo", "prod", "cluster.local");

  private StageFixtures() {}

  /** A 3-member cluster of 3.5.16 with TLS off (no certificates to issue in a unit test), changed by {@code spec}. */
  static EtcdCluster cluster(Consumer<EtcdClusterSpec> spec) {
    EtcdCluster c = new EtcdCluster();
    c.setMetadata(new ObjectMetaBuilder().withName("demo").withNamespace("prod").withUid("0f1e2d3c-aaaa")
        .withGeneration(2L).withCreationTimestamp("2026-12-01T00:00:00Z").build());
    EtcdClusterSpec s = new EtcdClusterSpec();
    s.setReplicas(3);
    s.setVersion("3.5.16");
    TlsSpec tls = new TlsSpec();
    tls.setEnabled(false);
    s.setTls(tls);
    spec.accept(s);
    c.setSpec(s);
    return c;
  }

  /** What the caches hold for a cluster whose objects exist as {@code live} renders them, bootstrapped. */
  static ClusterState state(EtcdCluster cluster, EtcdCluster live) {
    ClusterObjects objects = new ClusterObjects(live, "cluster.local");
    ConfigMap stateConfigMap = objects.stateConfigMap(ClusterObjects.STATE_EXISTING, "", null);
    StatefulSet sts = objects.statefulSet();
    return new ClusterState(cluster, NAMES, sts, List.of(), List.of(), List.of(), stateConfigMap, null, objects.peerService(),
        objects.clientService(), null, List.of(), name -> Optional.empty(), name -> Optional.empty(), null, null);
  }

  /** What the caches hold before the cluster's first pass. */
  static ClusterState fresh(EtcdCluster cluster) {
    return new ClusterState(cluster, NAMES, null, List.of(), List.of(), List.of(), null, null, null, null, null, List.of(),
        name -> Optional.empty(), name -> Optional.empty(), null, null);
  }
}
