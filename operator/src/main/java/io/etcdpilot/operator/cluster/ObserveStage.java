package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.MemberStatus;
import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.EtcdConnection;
import io.etcdpilot.operator.etcd.EtcdObserver;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.model.EtcdVersion;
import io.etcdpilot.operator.pki.CertificateManager;
import io.etcdpilot.operator.pki.TlsMaterial;
import io.etcdpilot.operator.recovery.QuorumRecovery;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Observe: asks etcd for its member list and every member's status, with this pass's certificates, through the
 * connection kept for the cluster across passes. Reads nothing from Kubernetes and writes nothing.
 */
final class ObserveStage {
  private final EtcdObserver observer;

  ObserveStage(EtcdObserver observer) {
    this.observer = observer;
  }

  Observation observe(Rendering.Desired desired) {
    ClusterState state = desired.state();
    List<String> clientUrls = clientUrls(state.cluster(), state.names(), desired.objects(), state.statefulSet());
    Optional<EtcdConnection> connection = connection(desired);
    ClusterObservation etcd = connection.map(c -> observer.observe(c, clientUrls, memberList(desired)))
        .orElseGet(() -> ClusterObservation.unreachable("no client certificate yet"));
    // Once etcd answers the cluster exists, whatever the ConfigMap says: every starting member joins it from then on.
    boolean bootstrapped = state.bootstrapped() || etcd.reachable();
    Optional<ClusterObservation> withoutQuorum = Optional.empty();
    if (!etcd.reachable() && bootstrapped && connection.isPresent() && QuorumRecovery.asked(state.cluster())) {
      // Each member's own list and status, from every pod: what survives a lost quorum.
      List<String> every = IntStream.range(0, Math.max(desired.objects().replicas(), stsReplicas(state.statefulSet())))
          .mapToObj(i -> state.names().clientUrl(state.names().member(i), desired.objects().tls())).toList();
      withoutQuorum = Optional.of(observer.observe(connection.get(), every, EtcdObserver.MemberList.MAJORITY_AGREEING));
    }
    return new Observation(etcd, connection, clientUrls, bootstrapped, withoutQuorum);
  }

  private static int stsReplicas(StatefulSet sts) {
    return sts == null || sts.getSpec().getReplicas() == null ? 0 : sts.getSpec().getReplicas();
  }

  /** etcd 3.5 answers a linearizable member list; before, a majority of the members must agree on theirs. */
  static EtcdObserver.MemberList memberList(Rendering.Desired desired) {
    EtcdCluster cluster = desired.cluster();
    EtcdVersion lowest = EtcdVersion.tryParse(cluster.getStatus() == null ? null : cluster.getStatus().getVersion())
        .orElse(desired.objects().version());
    return lowest.compareTo(new EtcdVersion(3, 5, 0)) < 0 ? EtcdObserver.MemberList.MAJORITY_AGREEING
        : EtcdObserver.MemberList.LINEARIZABLE;
  }

  /**
   * Where the operator's client connects: the voters it last saw that still have a pod (learners refuse most
   * calls; ordinals need not be contiguous while a member is replaced), else every pod of the StatefulSet.
   */
  static List<String> clientUrls(EtcdCluster cluster, ClusterNames names, ClusterObjects objects, StatefulSet sts) {
    int stsReplicas = sts != null && sts.getSpec().getReplicas() != null ? sts.getSpec().getReplicas() : objects.replicas();
    List<String> pods = IntStream.range(0, stsReplicas).mapToObj(names::member).toList();
    List<String> voters = cluster.getStatus() == null || cluster.getStatus().getMembers() == null ? List.of()
        : cluster.getStatus().getMembers().stream()
            .filter(m -> m.getRole() != MemberStatus.Role.learner)
            .map(MemberStatus::getName).filter(pods::contains).toList();
    return (voters.isEmpty() ? pods : voters).stream().map(m -> names.clientUrl(m, objects.tls())).toList();
  }

  /** With this pass's certificates; while paused, with those that already exist (nothing is issued then). */
  private static Optional<EtcdConnection> connection(Rendering.Desired desired) {
    ClusterState state = desired.state();
    String key = state.names().namespace() + "/" + state.names().cluster();
    ClusterObjects objects = desired.objects();
    if (!objects.tls().enabled()) return Optional.of(EtcdConnection.plain(key));
    if (desired.tls().isPresent()) {
      TlsMaterial tls = desired.tls().get();
      return Optional.of(new EtcdConnection(key, objects.tls(), tls.trustBundlePem(), tls.clientCertPem(),
          tls.clientKeyPem()));
    }
    if (state.operatorTls() == null) return Optional.empty();
    Map<String, String> d = CertificateManager.decode(state.operatorTls());
    return Optional.of(new EtcdConnection(key, objects.tls(), d.get("ca.crt"), d.get("tls.crt"), d.get("tls.key")));
  }
}
