package io.etcdpilot.sandbox;

import io.etcdpilot.sandbox.controlplane.ControlPlanePki;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Installs the chart as a user does — `helm install` (helm-java) of {@code charts/etcdpilot} against the sandbox's API
 * server: its ServiceAccount, ClusterRole, Roles, bindings, Service, monitoring objects and Deployment — and writes
 * a kubeconfig holding that ServiceAccount's token. The Deployment starts at 0 replicas: the suite's operator is
 * the same jar run as local processes with that token (crash points, logs, restarts with other settings), and
 * {@link Sandbox#runChartDeployment} scales it to the chart's default for the kubelet to run its pods instead.
 */
public final class OperatorInstall {
  public static final String RELEASE = "etcdpilot";
  public static final String NAMESPACE = "etcdpilot-system";
  private static final long TOKEN_SECONDS = 7 * 24 * 3600;

  private OperatorInstall() {}

  /** Installs the chart and returns the operator's kubeconfig. */
  public static Path install(KubernetesClient admin, Path adminKubeconfig, Path chart, String server, ControlPlanePki pki,
      Path kubeconfig) throws IOException, InterruptedException {
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
        .addToLabels(Sandbox.RESTRICTED).endMetadata().build()).create();
    ChartRelease.install(chart, RELEASE, NAMESPACE, adminKubeconfig, Map.of("replicaCount", "0",
        "snapshotEndpointsAllow", OperatorProcess.SANDBOX_ENDPOINTS));
    String token = admin.serviceAccounts().inNamespace(NAMESPACE).withName(RELEASE)
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(TOKEN_SECONDS).endSpec().build())
        .getStatus().getToken();
    Files.writeString(kubeconfig, pki.tokenKubeconfig(server, token));
    Files.setPosixFilePermissions(kubeconfig, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return kubeconfig;
  }
}
