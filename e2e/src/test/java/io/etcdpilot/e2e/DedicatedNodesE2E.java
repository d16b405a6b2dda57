package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.etcdpilot.operator.model.ClusterNames;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real scheduler places members where spec.scheduling says: on dedicated (tainted) etcd nodes when the cluster
 * selects and tolerates them, one member per node; members of clusters that do not tolerate the taint stay off them.
 */
@ExtendWith(TargetExtension.class)
class DedicatedNodesE2E {
  static final String KEY = "etcdpilot.io/dedicated";

  @Test
  void membersLandOnDedicatedNodesOnePerNode(TargetCluster target) {
    Set<String> dedicated = target.client().nodes().withLabel(KEY, "etcd").list().getItems().stream()
        .map(n -> n.getMetadata().getName()).collect(Collectors.toSet());
    assumeThat(dedicated.size()).as("dedicated etcd nodes").isGreaterThanOrEqualTo(3);
    String ns = "dedicated";
    Scenario.readyCluster(target, ns, "etcd", 3, s -> {
      var scheduling = new io.etcdpilot.operator.api.v1alpha1.SchedulingSpec();
      scheduling.setNodeSelector(Map.of(KEY, "etcd"));
      scheduling.setTolerations(List.of(new TolerationBuilder().withKey(KEY).withOperator("Equal").withValue("etcd")
          .withEffect("NoSchedule").build()));
      s.setScheduling(scheduling);
    });
    List<String> nodes = target.client().pods().inNamespace(ns).withLabel(ClusterNames.LABEL_CLUSTER, "etcd").list()
        .getItems().stream().map(p -> p.getSpec().getNodeName()).toList();
    assertThat(nodes).hasSize(3).doesNotHaveDuplicates().allMatch(dedicated::contains);

    // Members of every other cluster (no toleration) were kept off the tainted nodes.
    List<Pod> others = target.client().pods().inAnyNamespace().withLabel(ClusterNames.LABEL_CLUSTER).list().getItems()
        .stream().filter(p -> !ns.equals(p.getMetadata().getNamespace()) && p.getSpec().getNodeName() != null).toList();
    assertThat(others).noneMatch(p -> dedicated.contains(p.getSpec().getNodeName()));
    Node one = target.client().nodes().withName(nodes.get(0)).get();
    assertThat(one.getSpec().getTaints()).anyMatch(t -> KEY.equals(t.getKey()) && "NoSchedule".equals(t.getEffect()));
  }
}
