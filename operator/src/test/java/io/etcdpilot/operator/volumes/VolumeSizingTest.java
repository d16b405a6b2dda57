package io.etcdpilot.operator.volumes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VolumeSizingTest {
  /** data-demo-i asking for {@code request}, with {@code capacity} (null: not bound yet). */
  static PersistentVolumeClaim claim(int i, String request, String capacity) {
    PersistentVolumeClaimBuilder b = new PersistentVolumeClaimBuilder().withNewMetadata().withName("data-demo-" + i)
        .endMetadata().withNewSpec().withNewResources().addToRequests("storage", new Quantity(request)).endResources()
        .endSpec();
    if (capacity != null) b.withNewStatus().addToCapacity("storage", new Quantity(capacity)).endStatus();
    return b.build();
  }

  static List<PersistentVolumeClaim> claims(String request, String capacity) {
    return List.of(claim(0, request, capacity), claim(1, request, capacity), claim(2, request, capacity));
  }

  @Test
  void aNewClusterTakesTheSpecsSize() {
    VolumeSizing.Plan p = VolumeSizing.plan("2Gi", null, List.of(), false);
    assertThat(p.rendered()).isEqualTo("2Gi");
    assertThat(p.grow()).isEmpty();
    assertThat(p.recreateStatefulSet()).isFalse();
  }

  @Test
  void aBiggerSpecGrowsTheClaimsThenTheTemplateOnceEveryClaimHasIt() {
    // 1. The claims are asked for 2Gi; the template (and the quota) stay at 1Gi meanwhile.
    VolumeSizing.Plan ask = VolumeSizing.plan("2Gi", "1Gi", claims("1Gi", "1Gi"), false);
    assertThat(ask.grow()).isEqualTo(Map.of("data-demo-0", "2Gi", "data-demo-1", "2Gi", "data-demo-2", "2Gi"));
    assertThat(ask.rendered()).isEqualTo("1Gi");
    assertThat(ask.recreateStatefulSet()).isFalse();
    assertThat(ask.growing()).isEqualTo("growing volumes to 2Gi: 0 of 3 claims have it");
    // 2. Two have been expanded: still waiting, nothing asked again.
    VolumeSizing.Plan half = VolumeSizing.plan("2Gi", "1Gi", List.of(claim(0, "2Gi", "2Gi"), claim(1, "2Gi", "2Gi"),
        claim(2, "2Gi", "1Gi")), false);
    assertThat(half.grow()).isEmpty();
    assertThat(half.rendered()).isEqualTo("1Gi");
    assertThat(half.growing()).contains("2 of 3");
    // 3. All three: the template follows, the StatefulSet is re-created.
    VolumeSizing.Plan done = VolumeSizing.plan("2Gi", "1Gi", claims("2Gi", "2Gi"), false);
    assertThat(done.rendered()).isEqualTo("2Gi");
    assertThat(done.recreateStatefulSet()).isTrue();
    assertThat(done.growing()).isNull();
    // 4. Re-created: nothing more.
    VolumeSizing.Plan after = VolumeSizing.plan("2Gi", "2Gi", claims("2Gi", "2Gi"), false);
    assertThat(after.recreateStatefulSet()).isFalse();
    assertThat(after.rendered()).isEqualTo("2Gi");
  }

  @Test
  void aDriverThatGivesMoreThanAskedCounts() {
    assertThat(VolumeSizing.plan("2Gi", "1Gi", claims("2Gi", "2050Mi"), false).recreateStatefulSet()).isTrue();
  }

  @Test
  void aSmallerSpecIsRefusedUnlessVolumesGrewByThemselves() {
    VolumeSizing.Plan shrink = VolumeSizing.plan("1Gi", "2Gi", claims("2Gi", "2Gi"), false);
    assertThat(shrink.refused()).isNotNull();
    assertThat(shrink.refused().field()).isEqualTo("spec.storage.size");
    assertThat(shrink.refused().message()).contains("cannot shrink", "2Gi");
    assertThat(shrink.rendered()).isEqualTo("2Gi");
    assertThat(shrink.grow()).isEmpty();
    assertThat(VolumeSizing.plan("1Gi", "2Gi", claims("2Gi", "2Gi"), true).refused()).as("autoGrow").isNull();
  }

  @Test
  void automaticGrowthIsRememberedInTheClaimsRequests() {
    // autoGrow asked claim 0 for 3Gi (the others not yet: an operator restart in between).
    VolumeSizing.Plan p = VolumeSizing.plan("2Gi", "2Gi", List.of(claim(0, "3Gi", "2Gi"), claim(1, "2Gi", "2Gi"),
        claim(2, "2Gi", "2Gi")), true);
    assertThat(p.target()).isEqualTo("3Gi");
    assertThat(p.grow()).isEqualTo(Map.of("data-demo-1", "3Gi", "data-demo-2", "3Gi"));
    assertThat(p.rendered()).isEqualTo("2Gi");
  }
}
