package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.model.SpecViolation;
import io.etcdpilot.operator.pki.TlsMaterial;
import io.etcdpilot.operator.pki.TlsSettings;
import io.etcdpilot.operator.restore.RestorePlan;
import io.etcdpilot.operator.volumes.VolumeSizing;
import java.util.List;
import java.util.Optional;

/** What the render stage made of the spec: the objects it asks for, or why there are none. */
sealed interface Rendering permits Rendering.Desired, Rendering.Invalid {
  ClusterState state();

  /**
   * The spec cannot be carried out (a field named in each violation, or a CA that cannot be used): nothing later
   * runs, nothing is touched, the status says why.
   */
  record Invalid(ClusterState state, List<SpecViolation> violations) implements Rendering {}

  /**
   * The objects the spec asks for, at {@code spec.version} (the version gate may hold members on another), with the
   * restore decision and this pass's certificates.
   *
   * @param tls this pass's certificates; empty with TLS off, and while paused (nothing is issued then)
   * @param warnings spec choices that work but are unwise (even sizes)
   * @param volumes the volumes' sizes: what the objects render, which claims grow, whether the StatefulSet is re-created
   */
  record Desired(ClusterState state, ClusterObjects objects, RestorePlan.Decision restore, TlsSettings tlsSettings,
      Optional<TlsMaterial> tls, List<String> warnings, VolumeSizing.Plan volumes) implements Rendering {
    EtcdCluster cluster() {
      return state.cluster();
    }

    ClusterNames names() {
      return state.names();
    }

    boolean paused() {
      return state.paused();
    }
  }
}
