package io.etcdpilot.operator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class EtcdVersionTest {
  @Test
  void parsesReleasesPreReleasesAndBuildSuffixes() {
    assertThat(EtcdVersion.parse("3.5.16")).isEqualTo(new EtcdVersion(3, 5, 16));
    assertThat(EtcdVersion.parse("v3.6.0")).isEqualTo(new EtcdVersion(3, 6, 0));
    assertThat(EtcdVersion.parse("3.6.0-rc.1")).isEqualTo(new EtcdVersion(3, 6, 0, "rc.1"));
    assertThat(EtcdVersion.parse("3.6.0-rc.1").toString()).isEqualTo("3.6.0-rc.1");
    assertThat(EtcdVersion.parse("3.7.0-alpha.0+git.abc123").preRelease()).isEqualTo("alpha.0");
    assertThat(EtcdVersion.parse("3.5.30+dfsg").isPreRelease()).isFalse();
    for (String bad : List.of("", "3.5", "3.5.x", "3.5.1-", "3.5.1-rc..1", "latest")) {
      assertThatThrownBy(() -> EtcdVersion.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void ordersAsSemverDoes() {
    List<String> ordered = List.of("3.5.9", "3.5.16", "3.6.0-alpha.0", "3.6.0-alpha.1", "3.6.0-beta.0", "3.6.0-rc.1",
        "3.6.0-rc.10", "3.6.0", "3.6.1", "3.7.0-rc.0", "3.7.0");
    List<String> shuffled = new java.util.ArrayList<>(ordered);
    java.util.Collections.shuffle(shuffled, new java.util.Random(7));
    assertThat(shuffled.stream().map(EtcdVersion::parse).sorted().map(EtcdVersion::toString)).containsExactlyElementsOf(ordered);
    assertThat(Stream.of("3.6.0-rc.1", "3.5.30").map(EtcdVersion::parse).min(java.util.Comparator.naturalOrder()))
        .contains(new EtcdVersion(3, 5, 30));
  }

  @org.junit.jupiter.api.Test
  void lenientParsingForWhatMembersAndImagesSay() {
    assertThat(EtcdVersion.tryParse("3.6.0-rc.1")).contains(EtcdVersion.parse("3.6.0-rc.1"));
    assertThat(EtcdVersion.tryParse("custom-build")).isEmpty();
    assertThat(EtcdVersion.tryParse(null)).isEmpty();
    assertThat(EtcdVersion.ofImageTag("gcr.io/etcd-development/etcd:v3.5.35")).contains(EtcdVersion.parse("3.5.35"));
    assertThat(EtcdVersion.ofImageTag("registry.local:5000/etcd")).isEmpty();
    assertThat(EtcdVersion.ofImageTag("registry.local:5000/etcd:latest")).isEmpty();
  }
}
