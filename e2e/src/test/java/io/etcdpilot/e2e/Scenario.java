package io.etcdpilot.e2e;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterSpec;
import io.etcdpilot.sandbox.ClusterEdits;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.function.Consumer;

/** Small helpers every scenario uses. */
final class Scenario {
  private Scenario() {}

  /** Namespaces the running scenario created: deleted when it passes, kept for a look when it fails. */
  static final java.util.Set<String> CREATED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Changes a cluster's spec as `kubectl edit` does: read, change, write with the read resourceVersion, and on a
   * conflict (the operator wrote the status in between) read and change again.
   */
  static void editSpec(TargetCluster target, String ns, String name, Consumer<EtcdClusterSpec> change) {
    edit(target, ns, name, ec -> change.accept(ec.getSpec()));
  }

  /** Edits the whole object (an annotation, the spec), re-reading and retrying on a 409 as kubectl edit does. */
  static void edit(TargetCluster target, String ns, String name, Consumer<EtcdCluster> change) {
    try {
      ClusterEdits.edit(target.client(), ns, name, change);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while editing " + ns + "/" + name, e);
    }
  }

  static void setVersion(TargetCluster target, String ns, String version) {
    editSpec(target, ns, "etcd", spec -> spec.setVersion(version));
  }

  /** A namespace that admits only pods meeting Pod Security's restricted profile, as etcd members claim to. */
  static void namespace(TargetCluster target, String ns) {
    CREATED.add(ns);
    if (target.client().namespaces().withName(ns).get() == null) {
      target.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
          .addToLabels(io.etcdpilot.sandbox.Sandbox.RESTRICTED).endMetadata().build()).create();
    }
  }

  static EtcdCluster cluster(TargetCluster target, String ns, String name, int replicas, Consumer<EtcdClusterSpec> tweak) {
    namespace(target, ns);
    EtcdCluster ec = new EtcdCluster();
    ec.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    EtcdClusterSpec spec = new EtcdClusterSpec();
    spec.setReplicas(replicas);
    spec.setVersion(target.etcdVersion());
    tweak.accept(spec);
    ec.setSpec(spec);
    return target.client().resource(ec).create();
  }

  /** Creates the cluster and waits until it reports Ready. */
  static void readyCluster(TargetCluster target, String ns, String name, int replicas, Consumer<EtcdClusterSpec> tweak) {
    cluster(target, ns, name, replicas, tweak);
    ClusterChecks.awaitReady(target, ns, name, java.time.Duration.ofMinutes(3));
  }
}
