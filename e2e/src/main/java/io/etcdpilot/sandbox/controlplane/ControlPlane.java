package io.etcdpilot.sandbox.controlplane;

import io.etcdpilot.sandbox.ChildProcess;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real Kubernetes control plane on loopback: its own etcd, kube-apiserver (client-certificate and
 * ServiceAccount-token authentication, Node and RBAC authorization, the default admission chain with PodSecurity),
 * kube-controller-manager and kube-scheduler. Started in that order, stopped in reverse; logs in DIR/logs/.
 */
public final class ControlPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);
  public static final String SERVICE_CIDR = "10.96.0.0/16";
  public static final String SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";

  private final Path dir;
  private final Path logs;
  private final ControlPlanePki pki;
  private final List<ChildProcess> processes = new ArrayList<>();
  private final Path kubectl;
  private final String server;
  private final Path adminKubeconfig;
  private final ControlPlanePki.Pair kubeletServing;

  private ControlPlane(Path sandboxDir, KubeBinaries binaries) throws Exception {
    this.dir = sandboxDir.resolve("control-plane");
    this.logs = sandboxDir.resolve("logs");
    try {
      Path kube = binaries.kubernetes();
    kubectl = kube.resolve("kubectl");
      String etcdVersion = binaries.controlPlaneEtcdVersion();
      Path etcdBin = binaries.etcd(etcdVersion);
      Files.createDirectories(dir);
      pki = ControlPlanePki.create(dir.resolve("pki"));
      int etcdPort = freePort();
      int etcdPeerPort = freePort();
      int apiPort = freePort();
      String etcdEndpoint = "http://127.0.0.1:" + etcdPort;
      server = "https://127.0.0.1:" + apiPort;

      // Plain HTTP on loopback: the control plane's store is reached only by the API server and etcdctl here.
      start("etcd", List.of(etcdBin.resolve("etcd").toString(), "--name=control-plane",
          "--data-dir=" + dir.resolve("etcd"), "--listen-client-urls=" + etcdEndpoint,
          "--advertise-client-urls=" + etcdEndpoint, "--listen-peer-urls=http://127.0.0.1:" + etcdPeerPort,
          "--initial-advertise-peer-urls=http://127.0.0.1:" + etcdPeerPort,
          "--initial-cluster=control-plane=http://127.0.0.1:" + etcdPeerPort,
          "--listen-metrics-urls=http://127.0.0.1:" + freePort(), "--log-level=warn"));
      log.info("control-plane etcd {} at {}", etcdVersion, etcdEndpoint);
      // For `e2e/sandbox etcdctl --control-plane`, which runs in another process.
      Files.writeString(dir.resolve("etcdctl"), etcdBin.resolve("etcdctl") + "\n" + etcdEndpoint + "\n");

      ControlPlanePki.Pair serving = pki.server("kube-apiserver",
          List.of("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"),
          List.of("127.0.0.1", "10.96.0.1"));
      ControlPlanePki.Pair kubeletClient = pki.client("apiserver-kubelet-client", "kube-apiserver-kubelet-client", "system:masters");
      kubeletServing = pki.server("kubelet", List.of("localhost"), List.of("127.0.0.1"));
      // Every write, with who made it: what a failed scenario is debugged with (DIR/logs/audit.log); and every
      // request of the operator, reads included, which bin/bench counts.
      Path auditPolicy = dir.resolve("audit-policy.yaml");
      Files.writeString(auditPolicy, """
          apiVersion: audit.k8s.io/v1
          kind: Policy
          omitStages: [RequestReceived]
          rules:
          - level: Metadata
            users: ["system:serviceaccount:etcdpilot-system:etcdpilot"]
          - level: None
            resources: [{group: coordination.k8s.io, resources: [leases]}, {group: "", resources: [events]}]
          - level: Metadata
            verbs: [create, update, patch, delete, deletecollection]
          """);
      start("kube-apiserver", List.of(kube.resolve("kube-apiserver").toString(),
          "--etcd-servers=" + etcdEndpoint,
          "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port=" + apiPort,
          "--tls-cert-file=" + serving.cert(), "--tls-private-key-file=" + serving.key(),
          "--client-ca-file=" + pki.caCert(),
          "--service-account-issuer=" + SERVICE_ACCOUNT_ISSUER,
          "--service-account-key-file=" + pki.serviceAccountPublicKey(),
          "--service-account-signing-key-file=" + pki.serviceAccountKey(),
          "--authorization-mode=Node,RBAC",
          "--service-cluster-ip-range=" + SERVICE_CIDR,
          // No default route and no kube-proxy here: nothing should try to reach the kubernetes Service's endpoints.
          "--endpoint-reconciler-type=none",
          "--kubelet-client-certificate=" + kubeletClient.cert(), "--kubelet-client-key=" + kubeletClient.key(),
          "--kubelet-certificate-authority=" + pki.caCert(), "--kubelet-preferred-address-types=InternalIP",
          "--audit-policy-file=" + auditPolicy, "--audit-log-path=" + logs.resolve("audit.log"),
          "--audit-log-maxsize=200", "--audit-log-maxbackup=1",
          "--cert-dir=" + dir.resolve("apiserver-certs"), "--profiling=false", "--v=1"));

      adminKubeconfig = sandboxDir.resolve("kubeconfig");
      Files.writeString(adminKubeconfig, pki.kubeconfig(server, pki.client("admin", "kubernetes-admin", "system:masters")));
      awaitApiServer();

      Path cmConfig = dir.resolve("controller-manager.kubeconfig");
      Files.writeString(cmConfig, pki.kubeconfig(server, pki.client("controller-manager", "system:kube-controller-manager", "system:kube-controller-manager")));
      start("kube-controller-manager", List.of(kube.resolve("kube-controller-manager").toString(),
          "--kubeconfig=" + cmConfig, "--authentication-kubeconfig=" + cmConfig, "--authorization-kubeconfig=" + cmConfig,
          "--bind-address=127.0.0.1", "--secure-port=" + freePort(), "--leader-elect=false",
          "--use-service-account-credentials=true", "--service-account-private-key-file=" + pki.serviceAccountKey(),
          "--root-ca-file=" + pki.caCert(),
          // Endpoints and EndpointSlices may not hold loopback addresses (API validation), and every sandbox pod has one:
          // those controllers could only fail. The kubelet resolves Service names to ready pods itself.
          "--controllers=*,-endpoints-controller,-endpointslice-controller,-endpointslice-mirroring-controller",
          "--cert-dir=" + dir.resolve("controller-manager-certs"),
          "--profiling=false", "--v=1"));

      Path schedConfig = dir.resolve("scheduler.kubeconfig");
      Files.writeString(schedConfig, pki.kubeconfig(server, pki.client("scheduler", "system:kube-scheduler", "system:kube-scheduler")));
      start("kube-scheduler", List.of(kube.resolve("kube-scheduler").toString(),
          "--kubeconfig=" + schedConfig, "--authentication-kubeconfig=" + schedConfig, "--authorization-kubeconfig=" + schedConfig,
          "--bind-address=127.0.0.1", "--secure-port=" + freePort(), "--leader-elect=false",
          "--cert-dir=" + dir.resolve("scheduler-certs"), "--profiling=false", "--v=1"));
      log.info("control plane up: {}", server);
    } catch (Exception | Error e) {
      close(); // nothing of a half-started control plane may outlive the failure
      throw e;
    }
  }

  public static ControlPlane start(Path sandboxDir, KubeBinaries binaries) throws Exception {
    return new ControlPlane(sandboxDir, binaries);
  }

  private void start(String name, List<String> command) throws IOException {
    ChildProcess p = ChildProcess.start(name, command, Map.of(), logs.resolve(name + ".log"));
    processes.add(p);
  }

  private void awaitApiServer() throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
    try (KubernetesClient admin = adminClient()) {
      while (true) {
        processes.forEach(ChildProcess::checkAlive);
        try {
          if ("ok".equals(admin.raw("/readyz"))) return;
        } catch (RuntimeException notYet) {
          // still starting
        }
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException("kube-apiserver not ready within 2 minutes; see " + logs.resolve("kube-apiserver.log"));
        }
        Thread.sleep(200);
      }
    }
  }

  public KubernetesClient adminClient() throws IOException {
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(null, Files.readString(adminKubeconfig), adminKubeconfig.toString())).build();
  }

  public String server() {
    return server;
  }

  public Path adminKubeconfig() {
    return adminKubeconfig;
  }

  public ControlPlanePki pki() {
    return pki;
  }

  /** The kubelet's serving certificate (the API server verifies it for logs). */
  public ControlPlanePki.Pair kubeletServing() {
    return kubeletServing;
  }

  /** kubectl of the pinned Kubernetes release. */
  public Path kubectl() {
    return kubectl;
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).stop(20);
    }
  }
}
