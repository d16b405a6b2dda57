package io.etcdpilot.operator.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Names, labels and addresses of everything that belongs to one EtcdCluster. */
public record ClusterNames(String cluster, String namespace, String clusterDomain) {
  public static final int CLIENT_PORT = 2379;
  public static final int PEER_PORT = 2380;
  public static final int METRICS_PORT = 2381;

  public static final String LABEL_NAME = "app.kubernetes.io/name";
  public static final String LABEL_INSTANCE = "app.kubernetes.io/instance";
  public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String LABEL_COMPONENT = "app.kubernetes.io/component";
  public static final String LABEL_CLUSTER = "etcdpilot.io/cluster";
  /** On a member pod while etcd counts it as a voting member: what the PodDisruptionBudget selects. */
  public static final String LABEL_VOTER = "etcdpilot.io/voter";
  public static final String MANAGED_BY = "etcdpilot";

  public String statefulSet() { return cluster; }
  public String peerService() { return cluster + "-peer"; }
  public String clientService() { return cluster + "-client"; }
  public String stateConfigMap() { return cluster + "-cluster-state"; }
  public String podDisruptionBudget() { return cluster; }

  public String member(int ordinal) { return cluster + "-" + ordinal; }
  /** The PersistentVolumeClaim the StatefulSet creates for a member's data volume. */
  public String dataClaim(int ordinal) { return ClusterObjects.DATA_VOLUME + "-" + member(ordinal); }

  public String caSecret() { return cluster + "-ca"; }
  public String memberTlsSecret() { return cluster + "-member-tls"; }
  public String clientTlsSecret() { return cluster + "-client-tls"; }
  public String operatorTlsSecret() { return cluster + "-operator-tls"; }

  /** Every name a member is reached by under the peer Service. */
  public java.util.List<String> memberDnsNames(String member) {
    String svc = peerService();
    return java.util.List.of(memberHost(member), member + "." + svc + "." + namespace + ".svc",
        member + "." + svc + "." + namespace, member + "." + svc, member);
  }

  /** Every name the client Service is reached by. */
  public java.util.List<String> clientServiceDnsNames() {
    String svc = clientService();
    return java.util.List.of(svc + "." + namespace + ".svc." + clusterDomain, svc + "." + namespace + ".svc",
        svc + "." + namespace, svc);
  }

  /**
   * The name every member's peer certificate carries and members require from peers on port 2380
   * ({@code --peer-cert-allowed-hostname}): the peer Service's own name, which no server, client or operator
   * certificate carries, so only members get onto the raft plane even though one CA signs them all.
   */
  /**
   * The name every client certificate of a cluster with a user-provided CA carries (the operator's, the applications'
   * Secret, the members' own gateway), and that members then require on the client port: other certificates of a CA
   * the user shares with other workloads are not etcd credentials.
   */
  public String clientIdentity() {
    return cluster + "-client-identity." + namespace + ".svc." + clusterDomain;
  }

  public String peerIdentity() {
    return peerService() + "." + namespace + ".svc." + clusterDomain;
  }

  /** Fully qualified DNS name of a member under the peer Service. */
  public String memberHost(String member) {
    return member + "." + peerService() + "." + namespace + ".svc." + clusterDomain;
  }

  public String peerUrl(String member, TlsWiring tls) {
    return tls.scheme() + "://" + memberHost(member) + ":" + PEER_PORT;
  }

  public String clientUrl(String member, TlsWiring tls) {
    return tls.scheme() + "://" + memberHost(member) + ":" + CLIENT_PORT;
  }

  /** {@code name=peerURL,...} for the given number of ordinals, as etcd's --initial-cluster wants it. */
  public String initialCluster(int members, TlsWiring tls) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      parts.add(member(i) + "=" + peerUrl(member(i), tls));
    }
    return String.join(",", parts);
  }

  /** Labels that select the member pods; stable for the life of the cluster. */
  public Map<String, String> selectorLabels() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(LABEL_NAME, "etcd");
    labels.put(LABEL_INSTANCE, cluster);
    labels.put(LABEL_CLUSTER, cluster);
    return labels;
  }

  /** Labels on every object the operator creates for this cluster. */
  public Map<String, String> commonLabels() {
    Map<String, String> labels = new LinkedHashMap<>(selectorLabels());
    labels.put(LABEL_MANAGED_BY, MANAGED_BY);
    return labels;
  }

  public String selector() {
    StringBuilder sb = new StringBuilder();
    selectorLabels().forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append('=').append(v));
    return sb.toString();
  }
}
