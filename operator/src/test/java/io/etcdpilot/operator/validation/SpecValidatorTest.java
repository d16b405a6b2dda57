package io.etcdpilot.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.api.v1alpha1.EtcdClusterSpec;
import io.etcdpilot.operator.api.v1alpha1.EtcdOptions;
import io.etcdpilot.operator.api.v1alpha1.PodTemplateSpec;
import io.etcdpilot.operator.api.v1alpha1.SchedulingSpec;
import io.etcdpilot.operator.api.v1alpha1.StorageSpec;
import io.etcdpilot.operator.api.v1alpha1.TlsSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SpecValidatorTest {
  final SpecValidator validator = new SpecValidator();

  static EtcdClusterSpec valid() {
    EtcdClusterSpec s = new EtcdClusterSpec();
    s.setReplicas(3);
    s.setVersion("3.5.16");
    return s;
  }

  @Test
  void validSpecHasNoViolations() {
    assertThat(validator.validate(valid())).isEmpty();
    assertThat(validator.warnings(valid())).isEmpty();
  }

  static Stream<Arguments> badFields() {
    return Stream.of(
        bad("spec.replicas", "between 1 and 9", s -> s.setReplicas(0)),
        bad("spec.replicas", "between 1 and 9", s -> s.setReplicas(10)),
        bad("spec.replicas", "is required", s -> s.setReplicas(null)),
        bad("spec.version", "is required", s -> s.setVersion(null)),
        bad("spec.version", "MAJOR.MINOR.PATCH", s -> s.setVersion("latest")),
        bad("spec.version", "not supported", s -> s.setVersion("3.3.27")),
        bad("spec.image", "without spaces", s -> s.setImage("my image")),
        bad("spec.image", "its tag names etcd 3.6.16 but spec.version is", s -> s.setImage("registry.example/etcd:v3.6.16")),
        bad("spec.storage.size", "quantity", s -> s.setStorage(storage("lots"))),
        bad("spec.storage.size", "positive", s -> s.setStorage(storage("0"))),
        bad("spec.tls.certificateValidity", "duration", s -> s.setTls(tls(t -> t.setCertificateValidity("1 year")))),
        bad("spec.tls.caValidity", "at least 1m", s -> s.setTls(tls(t -> t.setCaValidity("30s")))),
        bad("spec.tls.certificateRenewBefore", "shorter than certificateValidity", s -> s.setTls(tls(t -> {
          t.setCertificateValidity("10m");
          t.setCertificateRenewBefore("10m");
        }))),
        bad("spec.tls.certificateValidity", "must not exceed caValidity", s -> s.setTls(tls(t -> {
          t.setCaValidity("1h");
          t.setCertificateValidity("2h");
        }))),
        bad("spec.tls.caSecretName", "Secret name", s -> s.setTls(tls(t -> t.setCaSecretName("My CA")))),
        bad("spec.etcd.quotaBackendBytes", "8 GiB", s -> s.setEtcd(opts(o -> o.setQuotaBackendBytes(9L << 30)))),
        bad("spec.etcd.quotaBackendBytes", "90% of spec.storage.size", s -> {
          s.setEtcd(opts(o -> o.setQuotaBackendBytes(1L << 30)));
          s.setStorage(new io.etcdpilot.operator.api.v1alpha1.StorageSpec());
          s.getStorage().setSize("1Gi");
        }),
        bad("spec.maintenance.defrag.rule", "CEL", s -> s.setMaintenance(defrag(d -> d.setRule("dbSize >")))),
        bad("spec.maintenance.defrag.rule", "bool", s -> s.setMaintenance(defrag(d -> d.setRule("dbSize")))),
        bad("spec.maintenance.defrag.minInterval", "duration", s -> s.setMaintenance(defrag(d -> d.setMinInterval("1 hour")))),
        bad("spec.maintenance.defrag.window.start", "HH:MM", s -> s.setMaintenance(defrag(d -> {
          var w = new io.etcdpilot.operator.api.v1alpha1.MaintenanceWindow();
          w.setStart("3am");
          w.setDuration("1h");
          d.setWindow(w);
        }))),
        bad("spec.storage.autoGrow.step", "required", s -> storage(s).setAutoGrow(grow(g -> g.setMaxSize("16Gi")))),
        bad("spec.storage.autoGrow.maxSize", "at least spec.storage.size", s -> storage(s).setAutoGrow(grow(g -> {
          g.setStep("1Gi");
          g.setMaxSize("1Gi");
        }))),
        bad("spec.etcd.autoCompactionRetention", "duration", s -> s.setEtcd(opts(o -> o.setAutoCompactionRetention("soon")))),
        bad("spec.etcd.autoCompactionRetention", "revision count", s -> s.setEtcd(opts(o -> {
          o.setAutoCompactionMode(EtcdOptions.AutoCompactionMode.revision);
          o.setAutoCompactionRetention("1h");
        }))),
        bad("spec.etcd.snapshotCount", "at least 1", s -> s.setEtcd(opts(o -> o.setSnapshotCount(0L)))),
        bad("spec.etcd.heartbeatIntervalMillis", "between 10 and 5000", s -> s.setEtcd(opts(o -> o.setHeartbeatIntervalMillis(5)))),
        bad("spec.etcd.electionTimeoutMillis", "between 50 and 50000", s -> s.setEtcd(opts(o -> o.setElectionTimeoutMillis(60000)))),
        bad("spec.etcd.electionTimeoutMillis", "5x heartbeatIntervalMillis", s -> s.setEtcd(opts(o -> {
          o.setHeartbeatIntervalMillis(300);
          o.setElectionTimeoutMillis(1000);
        }))),
        // Passed through to the pods: checked as the API server would, reserved keys refused.
        bad("spec.podTemplate.metadata.labels[etcdpilot.io/cluster]", "keeps for itself",
            s -> s.setPodTemplate(podLabels(Map.of("etcdpilot.io/cluster", "other")))),
        bad("spec.podTemplate.metadata.labels[team.etcdpilot.io/x]", "keeps for itself",
            s -> s.setPodTemplate(podLabels(Map.of("team.etcdpilot.io/x", "y")))),
        bad("spec.podTemplate.metadata.labels[team]", "invalid label value", s -> s.setPodTemplate(podLabels(Map.of("team", "a b")))),
        bad("spec.podTemplate.metadata.labels[-team]", "invalid key", s -> s.setPodTemplate(podLabels(Map.of("-team", "a")))),
        bad("spec.podTemplate.metadata.annotations[etcdpilot.io/trust-bundle]", "keeps for itself",
            s -> s.setPodTemplate(podAnnotations(Map.of("etcdpilot.io/trust-bundle", "x")))),
        bad("spec.resources.requests.memory", "not a quantity", s -> s.setResources(new ResourceRequirementsBuilder()
            .addToRequests("memory", new Quantity("lots")).build())),
        bad("spec.resources.requests.cpu", "must not exceed its limit", s -> s.setResources(new ResourceRequirementsBuilder()
            .addToRequests("cpu", new Quantity("2")).addToLimits("cpu", new Quantity("500m")).build())),
        bad("spec.scheduling.nodeSelector[disk type]", "invalid key", s -> s.setScheduling(scheduling(x ->
            x.setNodeSelector(Map.of("disk type", "ssd"))))),
        bad("spec.scheduling.tolerations[0].operator", "Exists or Equal", s -> s.setScheduling(scheduling(x ->
            x.setTolerations(List.of(new TolerationBuilder().withKey("k").withOperator("In").build()))))),
        bad("spec.scheduling.tolerations[0].effect", "NoSchedule", s -> s.setScheduling(scheduling(x ->
            x.setTolerations(List.of(new TolerationBuilder().withKey("k").withOperator("Exists").withEffect("Never").build()))))),
        bad("spec.scheduling.priorityClassName", "DNS subdomain", s -> s.setScheduling(scheduling(x ->
            x.setPriorityClassName("High Priority")))));
  }

  @Test
  void ordinaryPassThroughValuesAreFine() {
    EtcdClusterSpec s = valid();
    s.setPodTemplate(podLabels(Map.of("team", "payments", "example.com/tier", "gold", "empty", "")));
    s.setResources(new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("500m"))
        .addToLimits("cpu", new Quantity("2")).addToRequests("memory", new Quantity("1Gi")).build());
    s.setScheduling(scheduling(x -> {
      x.setNodeSelector(Map.of("etcdpilot.io/dedicated", "etcd"));
      x.setTolerations(List.of(new TolerationBuilder().withKey("etcdpilot.io/dedicated").withOperator("Equal")
          .withValue("etcd").withEffect("NoSchedule").build()));
      x.setPriorityClassName("system-cluster-critical");
    }));
    assertThat(validator.validate(s)).isEmpty();
  }

  static PodTemplateSpec podLabels(Map<String, String> labels) {
    PodTemplateSpec t = new PodTemplateSpec();
    PodTemplateSpec.Metadata m = new PodTemplateSpec.Metadata();
    m.setLabels(labels);
    t.setMetadata(m);
    return t;
  }

  static PodTemplateSpec podAnnotations(Map<String, String> annotations) {
    PodTemplateSpec t = new PodTemplateSpec();
    PodTemplateSpec.Metadata m = new PodTemplateSpec.Metadata();
    m.setAnnotations(annotations);
    t.setMetadata(m);
    return t;
  }

  static SchedulingSpec scheduling(Consumer<SchedulingSpec> c) {
    SchedulingSpec s = new SchedulingSpec();
    c.accept(s);
    return s;
  }

  static io.etcdpilot.operator.api.v1alpha1.MaintenanceSpec defrag(
      Consumer<io.etcdpilot.operator.api.v1alpha1.DefragPolicy> c) {
    var d = new io.etcdpilot.operator.api.v1alpha1.DefragPolicy();
    c.accept(d);
    var m = new io.etcdpilot.operator.api.v1alpha1.MaintenanceSpec();
    m.setDefrag(d);
    return m;
  }

  static io.etcdpilot.operator.api.v1alpha1.StorageSpec storage(EtcdClusterSpec s) {
    if (s.getStorage() == null) s.setStorage(new io.etcdpilot.operator.api.v1alpha1.StorageSpec());
    return s.getStorage();
  }

  static io.etcdpilot.operator.api.v1alpha1.AutoGrowSpec grow(Consumer<io.etcdpilot.operator.api.v1alpha1.AutoGrowSpec> c) {
    var g = new io.etcdpilot.operator.api.v1alpha1.AutoGrowSpec();
    c.accept(g);
    return g;
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("badFields")
  void everyBadFieldIsNamed(String field, String message, Consumer<EtcdClusterSpec> breakIt) {
    EtcdClusterSpec s = valid();
    breakIt.accept(s);
    assertThat(validator.validate(s)).singleElement().satisfies(v -> {
      assertThat(v.field()).isEqualTo(field);
      assertThat(v.message()).contains(message);
    });
  }

  @Test
  void missingSpecIsReported() {
    assertThat(validator.validate(null)).singleElement().satisfies(v -> assertThat(v.field()).isEqualTo("spec"));
  }

  @Test
  void evenSizeIsAllowedWithAWarning() {
    EtcdClusterSpec s = valid();
    s.setReplicas(4);
    assertThat(validator.validate(s)).isEmpty();
    assertThat(validator.warnings(s)).singleElement().asString().contains("even");
  }

  static Arguments bad(String field, String message, Consumer<EtcdClusterSpec> breakIt) {
    return Arguments.of(field, message, breakIt);
  }

  static TlsSpec tls(Consumer<TlsSpec> c) {
    TlsSpec t = new TlsSpec();
    c.accept(t);
    return t;
  }

  static StorageSpec storage(String size) {
    StorageSpec s = new StorageSpec();
    s.setSize(size);
    return s;
  }

  static EtcdOptions opts(Consumer<EtcdOptions> c) {
    EtcdOptions o = new EtcdOptions();
    c.accept(o);
    return o;
  }
}
