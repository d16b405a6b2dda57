package io.etcdpilot.sandbox;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.TlsWiring;
import io.etcdpilot.sandbox.kubelet.EtcdBinaries;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Builds the etcdctl command line for one EtcdCluster in the sandbox: endpoints of its members, name
 * resolution through the sandbox hosts file (a private mount namespace), API v3.
 */
public final class Etcdctl {
  private Etcdctl() {}

  public static List<String> endpoints(KubernetesClient client, String namespace, String cluster) {
    EtcdCluster ec = client.resources(EtcdCluster.class).inNamespace(namespace).withName(cluster).get();
    if (ec == null) throw new IllegalArgumentException("no EtcdCluster " + namespace + "/" + cluster);
    ClusterNames names = new ClusterNames(cluster, namespace, Sandbox.CLUSTER_DOMAIN);
    TlsWiring tls = new TlsWiring(ec.getSpec().getTls() != null && Boolean.TRUE.equals(ec.getSpec().getTls().getEnabled()));
    StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(names.statefulSet()).get();
    int members = sts != null && sts.getSpec().getReplicas() != null ? sts.getSpec().getReplicas() : ec.getSpec().getReplicas();
    return IntStream.range(0, members).mapToObj(i -> names.clientUrl(names.member(i), tls)).toList();
  }

  public static List<String> command(Path hostsFile, EtcdBinaries binaries, String version, List<String> endpoints,
      List<String> args) {
    Path bin = version == null ? Path.of("/usr/bin") : binaries.binDir(version).orElse(Path.of("/usr/bin"));
    List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
        "mount --bind '" + hostsFile + "' /etc/hosts && exec \"$@\"", "sh", bin.resolve("etcdctl").toString(),
        "--endpoints=" + String.join(",", endpoints), "--dial-timeout=3s", "--command-timeout=10s"));
    cmd.addAll(args);
    return cmd;
  }
}
