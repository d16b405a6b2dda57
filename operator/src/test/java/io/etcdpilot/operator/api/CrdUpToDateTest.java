package io.etcdpilot.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CRDs committed in crds/ and in the chart must be exactly what the Java types generate. Run
 * {@code mvn -pl operator process-classes -Dcrds.update=true} ... or simply copy
 * operator/target/classes/META-INF/fabric8/*-v1.yml to both places after changing the API.
 */
class CrdUpToDateTest {
  static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");
  static final List<Path> COMMITTED = List.of(Path.of("../crds"), Path.of("../charts/etcdpilot/crds"));
  static final String FILE = "etcdclusters.etcdpilot.io-v1.yml";
  static final String SNAPSHOT_FILE = "etcdsnapshots.etcdpilot.io-v1.yml";

  @Test
  void committedCrdsMatchGeneratedOnes() throws IOException {
    for (String file : List.of(FILE, SNAPSHOT_FILE)) committedMatchesGenerated(file);
  }

  private static void committedMatchesGenerated(String FILE) throws IOException {
    String generated = Files.readString(GENERATED.resolve(FILE));
    if (Boolean.getBoolean("crds.update")) {
      for (Path dir : COMMITTED) {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(FILE), generated);
      }
    }
    for (Path dir : COMMITTED) {
      assertThat(dir.resolve(FILE)).as("%s is stale: run mvn -pl operator test -Dtest=CrdUpToDateTest -Dcrds.update=true", dir.resolve(FILE))
          .exists();
      assertThat(Files.readString(dir.resolve(FILE)))
          .as("%s is stale: run mvn -pl operator test -Dtest=CrdUpToDateTest -Dcrds.update=true", dir.resolve(FILE))
          .isEqualTo(generated);
    }
  }

  @Test
  void crdIsStructuralWithScaleSubresource() throws IOException {
    CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(GENERATED.resolve(FILE)), CustomResourceDefinition.class);
    assertThat(crd.getApiVersion()).isEqualTo("apiextensions.k8s.io/v1");
    var version = crd.getSpec().getVersions().get(0);
    assertThat(version.getSubresources().getScale().getSpecReplicasPath()).isEqualTo(".spec.replicas");
    assertThat(version.getSubresources().getScale().getStatusReplicasPath()).isEqualTo(".status.replicas");
    assertThat(version.getSubresources().getScale().getLabelSelectorPath()).isEqualTo(".status.selector");
    assertThat(version.getSubresources().getStatus()).isNotNull();
    JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
    assertStructural("", root);
    JSONSchemaProps spec = root.getProperties().get("spec");
    assertThat(spec.getRequired()).contains("version");
    assertThat(spec.getProperties().get("replicas").getMinimum()).isEqualTo(1.0);
    assertThat(spec.getProperties().get("replicas").getMaximum()).isEqualTo(9.0);
    assertThat(crd.getSpec().getNames().getShortNames()).contains("ec");
    assertThat(version.getAdditionalPrinterColumns()).extracting(c -> c.getName())
        .contains("Ready", "Desired", "Version", "Available", "Age");
  }

  @Test
  void snapshotCrdIsStructuralWithStatus() throws IOException {
    CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(GENERATED.resolve(SNAPSHOT_FILE)),
        CustomResourceDefinition.class);
    var version = crd.getSpec().getVersions().get(0);
    assertThat(version.getSubresources().getStatus()).isNotNull();
    assertStructural("", version.getSchema().getOpenAPIV3Schema());
    assertThat(version.getSchema().getOpenAPIV3Schema().getProperties().get("spec").getRequired()).contains("clusterName");
    assertThat(version.getAdditionalPrinterColumns()).extracting(c -> c.getName())
        .containsExactlyInAnyOrder("Cluster", "Phase", "Revision", "Size", "Age");
  }

  /** Kubernetes' structural rules: every node typed (or int-or-string / preserve-unknown), no typed logic junctors, metadata untouched. */
  static void assertStructural(String path, JSONSchemaProps p) {
    boolean typed = p.getType() != null || Boolean.TRUE.equals(p.getXKubernetesIntOrString())
        || Boolean.TRUE.equals(p.getXKubernetesPreserveUnknownFields());
    assertThat(typed).as("untyped schema node at %s", path.isEmpty() ? "<root>" : path).isTrue();
    boolean intOrString = Boolean.TRUE.equals(p.getXKubernetesIntOrString());
    for (List<JSONSchemaProps> junctor : java.util.Arrays.asList(p.getAllOf(), p.getAnyOf(), p.getOneOf())) {
      if (junctor == null) continue;
      if (intOrString && junctor == p.getAnyOf()
          && junctor.stream().map(JSONSchemaProps::getType).toList().equals(List.of("integer", "string"))) {
        continue; // the one typed junctor Kubernetes allows: anyOf [integer, string] with x-kubernetes-int-or-string
      }
      for (JSONSchemaProps j : junctor) {
        assertThat(j.getType()).as("type inside a logic junctor at %s", path).isNull();
      }
    }
    if (path.equals(".metadata")) {
      assertThat(p.getProperties()).as("metadata must not be constrained").isNullOrEmpty();
    }
    if (p.getProperties() != null) {
      for (Map.Entry<String, JSONSchemaProps> e : p.getProperties().entrySet()) {
        assertStructural(path + "." + e.getKey(), e.getValue());
      }
    }
    if (p.getItems() != null && p.getItems().getSchema() != null) {
      assertStructural(path + "[]", p.getItems().getSchema());
    }
    if (p.getAdditionalProperties() != null && p.getAdditionalProperties().getSchema() != null) {
      assertStructural(path + "{}", p.getAdditionalProperties().getSchema());
    }
  }
}
