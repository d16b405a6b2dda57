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
    TlsWiring tls = TlsWiring.of(ec.getSpec());
    StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(names.statefulSet()).get();
    int members = sts != null && sts.getSpec().getReplicas() != null ? sts.getSpec().getReplicas() : ec.getSpec().getReplicas();
    return IntStream.range(0, members).mapToObj(i -> names.clientUrl(names.member(i), tls)).toList();
  }

  /** PEM files of the cluster's application client certificate (Secret <cluster>-client-tls), or null when TLS is off. */
  public record ClientFiles(Path ca, Path cert, Path key) {}

  public static ClientFiles clientFiles(KubernetesClient client, String namespace, String cluster, Path dir) throws java.io.IOException {
    EtcdCluster ec = client.resources(EtcdCluster.class).inNamespace(namespace).withName(cluster).get();
    if (ec == null || !TlsWiring.of(ec.getSpec()).enabled()) return null;
    ClusterNames names = new ClusterNames(cluster, namespace, Sandbox.CLUSTER_DOMAIN);
    var secret = client.secrets().inNamespace(namespace).withName(names.clientTlsSecret()).get();
    if (secret == null) throw new IllegalStateException("no client certificate yet (Secret " + namespace + "/" + names.clientTlsSecret() + ")");
    java.nio.file.Files.createDirectories(dir);
    ClientFiles files = new ClientFiles(dir.resolve("ca.crt"), dir.resolve("tls.crt"), dir.resolve("tls.key"));
    var data = io.etcdpilot.operator.pki.CertificateManager.decode(secret);
    for (var e : java.util.Map.of("ca.crt", files.ca(), "tls.crt", files.cert(), "tls.key", files.key()).entrySet()) {
      java.nio.file.Files.writeString(e.getValue(), data.get(e.getKey()));
    }
    java.nio.file.Files.setPosixFilePermissions(files.key(), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return files;
  }

  public static List<String> command(Path hostsFile, EtcdBinaries binaries, String version, List<String> endpoints,
      ClientFiles tls, List<String> args) {
    Path bin = version == null ? Path.of("/usr/bin") : binaries.binDir(version).orElse(Path.of("/usr/bin"));
    List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
        "mount --bind '" + hostsFile + "' /etc/hosts && exec \"$@\"", "sh", bin.resolve("etcdctl").toString(),
        "--endpoints=" + String.join(",", endpoints), "--dial-timeout=3s", "--command-timeout=10s"));
    if (tls != null) {
      cmd.addAll(List.of("--cacert=" + tls.ca(), "--cert=" + tls.cert(), "--key=" + tls.key()));
    }
    cmd.addAll(args);
    return cmd;
  }
}
