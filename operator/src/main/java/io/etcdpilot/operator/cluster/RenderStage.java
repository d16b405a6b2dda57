package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.etcd.PresentedCertificates;
import io.etcdpilot.operator.kube.PassEvents;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.model.SpecViolation;
import io.etcdpilot.operator.pki.CertificateManager;
import io.etcdpilot.operator.pki.SecretStore;
import io.etcdpilot.operator.pki.TlsMaterial;
import io.etcdpilot.operator.pki.TlsSettings;
import io.etcdpilot.operator.restore.RestorePlan;
import io.etcdpilot.operator.validation.ImmutableFields;
import io.etcdpilot.operator.volumes.VolumeSizing;
import io.etcdpilot.operator.validation.SpecValidator;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Render: from the spec to the objects it asks for. Validates it, decides whether the members restore a snapshot, and
 * makes sure the certificates of this pass exist (the one write here: Secrets). An invalid spec is its own outcome.
 */
final class RenderStage {
  /** How long a handshake with a member may take when the PKI asks what it presents. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

  private final SpecValidator validator;
  private final CertificateManager certificates;
  private final OperatorSettings settings;

  RenderStage(SpecValidator validator, CertificateManager certificates, OperatorSettings settings) {
    this.validator = validator;
    this.certificates = certificates;
    this.settings = settings;
  }

  Rendering render(ClusterState state, SecretStore secrets, PassEvents events, Instant now) {
    EtcdCluster cluster = state.cluster();
    List<SpecViolation> violations = new ArrayList<>(validator.validate(cluster.getSpec()));
    if (!violations.isEmpty()) return new Rendering.Invalid(state, violations);
    VolumeSizing.Plan volumes = VolumeSizing.plan(new ClusterObjects(cluster, settings.clusterDomain()).volumeSize(),
        ImmutableFields.claimSize(state.statefulSet()), state.claims(),
        cluster.getSpec().getStorage() != null && cluster.getSpec().getStorage().getAutoGrow() != null);
    ClusterObjects objects = new ClusterObjects(cluster, settings.clusterDomain()).sizedTo(volumes.rendered());
    violations.addAll(immutableAfterBootstrap(objects, state.stateConfigMap()));
    // A cluster created from a snapshot: its members restore it before etcd starts (decided once, at creation).
    RestorePlan.Decision restore = RestorePlan.decide(cluster, state.stateConfigMap(), state.snapshotNamed(),
        state.clusterNamed());
    violations.addAll(restore.invalid());
    if (restore.source() != null) objects = objects.restoring(restore.source(), restore.recordedSpec(), settings.agentImage());
    if (!violations.isEmpty()) return new Rendering.Invalid(state, violations);

    TlsSettings tlsSettings = TlsSettings.of(cluster.getSpec().getTls());
    Optional<TlsMaterial> tls = Optional.empty();
    if (objects.tls().enabled() && !state.paused()) {
      try {
        tls = Optional.of(certificates.ensure(secrets, objects.ownerReference(), state.names(), tlsSettings,
            memberNames(state.names(), objects, state.statefulSet()),
            RolloutProgress.membersTrust(state.statefulSet(), state.pods()),
            new PresentedCertificates(state.names(), PROBE_TIMEOUT), now, events::normal));
      } catch (CertificateManager.CaUnavailable e) {
        return new Rendering.Invalid(state, List.of(new SpecViolation(e.field(), e.reason())));
      }
    }
    return new Rendering.Desired(state, objects, restore, tlsSettings, tls, validator.warnings(cluster.getSpec()),
        volumes);
  }

  /** Fields that cannot change once members exist: URLs of every member would change with the scheme. */
  static List<SpecViolation> immutableAfterBootstrap(ClusterObjects objects, ConfigMap state) {
    if (state == null || state.getData() == null) return List.of();
    String initial = state.getData().getOrDefault(ClusterObjects.INITIAL_CLUSTER_KEY, "");
    String scheme = state.getData().getOrDefault(ClusterObjects.URL_SCHEME_KEY,
        initial.isEmpty() ? objects.tls().scheme() : initial.substring(initial.indexOf('=') + 1, initial.indexOf("://")));
    if (!scheme.equals(objects.tls().scheme())) {
      return List.of(new SpecViolation("spec.tls.enabled",
          "cannot change on an existing cluster (its members' URLs use " + (objects.tls().enabled() ? "http" : "https") + ")"));
    }
    return List.of();
  }

  /** Every member that may run: the spec's, and those the StatefulSet still has while it shrinks. */
  private static List<String> memberNames(ClusterNames names, ClusterObjects objects, StatefulSet sts) {
    int count = Math.max(objects.replicas(), sts == null || sts.getSpec().getReplicas() == null ? 0 : sts.getSpec().getReplicas());
    return IntStream.range(0, count).mapToObj(names::member).toList();
  }
}
