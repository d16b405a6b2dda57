package io.etcdpilot.sandbox;

import io.etcdpilot.sandbox.controlplane.ControlPlanePki;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Installs what the chart gives the operator — its ServiceAccount, ClusterRole, Role and bindings, rendered from
 * {@code charts/etcdpilot} with helm-java — and writes a kubeconfig holding that ServiceAccount's token, so the
 * operator process has exactly the chart's permissions (a verb the chart lacks is Forbidden here as on a real
 * cluster). The chart's Deployment is not applied: the sandbox runs the operator as a local process.
 */
public final class OperatorInstall {
  public static final String RELEASE = "etcdpilot";
  public static final String NAMESPACE = "etcdpilot-system";
  private static final long TOKEN_SECONDS = 7 * 24 * 3600;

  private OperatorInstall() {}

  /** Applies the chart's RBAC and returns the operator's kubeconfig. */
  public static Path install(KubernetesClient admin, Path chart, String server, ControlPlanePki pki, Path kubeconfig)
      throws IOException, InterruptedException {
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
        .addToLabels(Sandbox.RESTRICTED).endMetadata().build()).create();
    String yaml = ChartTemplate.render(chart, RELEASE, NAMESPACE);
    List<HasMetadata> objects = Serialization.unmarshal(yaml);
    for (HasMetadata o : objects) {
      if (o instanceof Deployment) continue;
      admin.resource(o).inNamespace(NAMESPACE).create();
    }
    String token = admin.serviceAccounts().inNamespace(NAMESPACE).withName(RELEASE)
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(TOKEN_SECONDS).endSpec().build())
        .getStatus().getToken();
    Files.writeString(kubeconfig, pki.tokenKubeconfig(server, token));
    Files.setPosixFilePermissions(kubeconfig, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return kubeconfig;
  }
}
