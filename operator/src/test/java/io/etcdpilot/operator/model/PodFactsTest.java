package io.etcdpilot.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which pods are members: only the StatefulSet's own, by controller and name. */
class PodFactsTest {
  static Pod pod(String name, String ownerKind, String owner, Boolean controller) {
    PodBuilder b = new PodBuilder().withNewMetadata().withName(name).addToLabels(ClusterNames.LABEL_CLUSTER, "demo")
        .endMetadata();
    if (owner != null) {
      b.editMetadata().addNewOwnerReference().withApiVersion("apps/v1").withKind(ownerKind).withName(owner)
          .withUid("u-1").withController(controller).endOwnerReference().endMetadata();
    }
    return b.build();
  }

  @ParameterizedTest(name = "{0} owned by {1} {2} (controller {3}): member {4}")
  @CsvSource({
      "demo-0, StatefulSet, demo, true, true",
      "demo-12, StatefulSet, demo, true, true",
      "demo-debug, , , , false",            // a debugging pod with the label: no owner, no ordinal
      "demo-7, , , , false",                // a numeric suffix is not enough (nor the cluster label)
      "demo-7, ReplicaSet, demo, true, false",
      "demo-7, StatefulSet, other, true, false",
      "demo-7, StatefulSet, demo, false, false",
      "demo-07, StatefulSet, demo, true, false",
      "demo-debug, StatefulSet, demo, true, false",
      "demo-x-1, StatefulSet, demo, true, false",
  })
  void memberPods(String name, String kind, String owner, Boolean controller, boolean member) {
    assertThat(PodFacts.memberOf(pod(name, kind, owner, controller), "demo", SELECTOR)).isEqualTo(member);
  }

  static final java.util.Map<String, String> SELECTOR = new ClusterNames("demo", "ns", "cluster.local").selectorLabels();

  @Test
  void aPodTheStatefulSetWillAdoptIsOneWhileItsStatefulSetIsReCreated() {
    Pod orphan = pod("demo-2", null, null, null);
    orphan.getMetadata().getLabels().putAll(SELECTOR);
    assertThat(PodFacts.memberOf(orphan, "demo", SELECTOR)).isTrue();
    Pod debugging = pod("demo-debug", null, null, null);
    debugging.getMetadata().getLabels().putAll(SELECTOR);
    assertThat(PodFacts.memberOf(debugging, "demo", SELECTOR)).isFalse();
  }

  @Test
  void theOrdinalOfAMemberPod() {
    assertThat(PodFacts.ordinal(pod("demo-12", "StatefulSet", "demo", true))).isEqualTo(12);
  }
}
