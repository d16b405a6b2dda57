package io.etcdpilot.sandbox;

import io.etcdpilot.sandbox.controlplane.ControlPlane;
import io.etcdpilot.sandbox.controlplane.KubeBinaries;
import io.etcdpilot.sandbox.kubelet.EtcdBinaries;
import io.etcdpilot.sandbox.kubelet.HostsFile;
import io.etcdpilot.sandbox.kubelet.Kubelet;
import io.etcdpilot.sandbox.kubelet.KubeletServer;
import io.etcdpilot.sandbox.kubelet.NodeAgent;
import io.etcdpilot.sandbox.kubelet.PodNetwork;
import io.etcdpilot.sandbox.storage.HostPathProvisioner;
import io.etcdpilot.sandbox.storage.ObjectStoreServer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A local Kubernetes cluster for etcdpilot: the real control plane (etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler, built from their Go modules), a volume provisioner, and our process kubelet, which registers
 * the nodes and runs the pods bound to them as real processes. The operator runs against it with the chart's
 * RBAC. Not a Kubernetes distribution: the kubelet does what the operator and kubectl touch, no more.
 */
public final class Sandbox implements AutoCloseable {
  public static final String CLUSTER_DOMAIN = "cluster.local";
  public static final String CRD_RESOURCE = "/META-INF/fabric8/etcdclusters.etcdpilot.io-v1.yml";
  public static final String SNAPSHOT_CRD_RESOURCE = "/META-INF/fabric8/etcdsnapshots.etcdpilot.io-v1.yml";
  /** Pod Security admission: what etcd members and the operator are admitted under. */
  public static final Map<String, String> RESTRICTED = Map.of("pod-security.kubernetes.io/enforce", "restricted",
      "pod-security.kubernetes.io/enforce-version", "latest");

  /**
   * @param instance separates sandboxes running at the same time (pod address range, uids, NAT chain)
   * @param nodes how many Node objects the kubelet registers
   * @param dedicated how many of them (the last ones) are labelled and tainted as dedicated etcd nodes
   */
  public record Options(Path dir, Path hostsFile, boolean startOperator, int instance, int nodes, int dedicated) {
    public Options {
      if (nodes < 1) throw new IllegalArgumentException("--nodes must be at least 1");
      if (dedicated < 0 || dedicated > nodes) throw new IllegalArgumentException("--dedicated must be between 0 and --nodes");
    }
  }

  private final Options options;
  private final KubeBinaries kube;
  private OperatorProcess standby;
  private io.etcdpilot.sandbox.monitoring.PrometheusServer prometheus;
  private ControlPlane controlPlane;
  private KubernetesClient admin;
  private HostPathProvisioner provisioner;
  private KubeletServer kubeletServer;
  private NodeAgent nodes;
  private Kubelet kubelet;
  private EtcdBinaries binaries;
  private Path operatorKubeconfig;
  private OperatorProcess operator;
  private ObjectStoreServer objectStore;

  private Sandbox(Options options) throws Exception {
    this.options = options;
    Files.createDirectories(options.dir());
    kube = KubeBinaries.locate();
    try {
      controlPlane = ControlPlane.start(options.dir(), kube);
      admin = controlPlane.adminClient();
      awaitSystemNamespaces();
      admin.namespaces().withName("default").edit(n -> {
        n.getMetadata().getLabels().putAll(RESTRICTED);
        return n;
      });
      applyCrd();
      provisioner = new HostPathProvisioner(admin, options.dir().resolve("volumes"));
      provisioner.start();
      objectStore = ObjectStoreServer.start(options.dir().resolve("s3"));
      objectStore.secret(admin, "default");
      kubeletServer = new KubeletServer(controlPlane.kubeletServing().cert(), controlPlane.kubeletServing().key(),
          controlPlane.pki().caCert(), Kubelet.logFiles(options.dir()));
      int kubeletPort = kubeletServer.start();
      nodes = new NodeAgent(admin, new NodeAgent.Options(options.nodes(), options.dedicated(),
          kube.kubernetesVersion().orElse("v0.0.0"), kubeletPort));
      nodes.start();
      binaries = new EtcdBinaries(EtcdBinaries.defaultCache(), kube);
      HostsFile hosts = new HostsFile(options.hostsFile());
      kubelet = new Kubelet(admin, options.dir(), hosts, binaries, CLUSTER_DOMAIN, new PodNetwork(options.instance()),
          nodes.nodeNames(), provisioner);
      kubelet.start();
      operatorKubeconfig = OperatorInstall.install(admin, controlPlane.adminKubeconfig(), kube.repository().resolve("charts/etcdpilot"),
          controlPlane.server(), controlPlane.pki(), options.dir().resolve("operator.kubeconfig"));
      if (options.startOperator()) {
        startOperator(Map.of());
      }
    } catch (Exception | Error e) {
      close(); // a half-started sandbox leaves no process behind
      throw e;
    }
  }

  public static Sandbox start(Options options) throws Exception {
    return new Sandbox(options);
  }

  private void awaitSystemNamespaces() throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
    while (admin.namespaces().withName("kube-node-lease").get() == null || admin.namespaces().withName("default").get() == null) {
      if (Instant.now().isAfter(deadline)) throw new IllegalStateException("the API server created no system namespaces");
      Thread.sleep(100);
    }
  }

  private void applyCrd() throws IOException, InterruptedException {
    applyCrd(CRD_RESOURCE);
    applyCrd(SNAPSHOT_CRD_RESOURCE);
  }

  private void applyCrd(String resource) throws IOException, InterruptedException {
    try (InputStream in = Sandbox.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("CRD " + resource + " not on the classpath: build the operator module");
      CustomResourceDefinition crd = admin.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
      admin.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      admin.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).waitUntilCondition(
          // The API server may publish a status before it holds any condition.
          c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null && c.getStatus().getConditions().stream()
              .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())), 60, TimeUnit.SECONDS);
    }
  }

  private synchronized void startOperator(Map<String, String> env) throws IOException {
    operator = operatorReplica("operator.log", OperatorInstall.RELEASE + "-0");
    operator.start(env);
  }

  private OperatorProcess operatorReplica(String log, String podName) throws IOException {
    return new OperatorProcess(OperatorJar.built(kube.repository()), operatorKubeconfig, options.hostsFile(),
        options.dir().resolve("logs").resolve(log), OperatorInstall.NAMESPACE, podName);
  }

  /** A real Prometheus with the chart's rules, scraping every member (DIR/prometheus); started once, on demand. */
  public synchronized io.etcdpilot.sandbox.monitoring.PrometheusServer startMonitoring() throws Exception {
    if (prometheus == null) {
      prometheus = io.etcdpilot.sandbox.monitoring.PrometheusServer.start(options.dir().resolve("prometheus"),
          kube.repository().resolve("charts/etcdpilot/files/prometheus-rules.yaml"), admin, this::operators);
    }
    return prometheus;
  }

  /**
   * One more operator process with the chart's credentials that reaches the API server at {@code server} (e.g.
   * through a {@link TcpProxy}); logs to logs/POD.log. The caller starts it (with flags that keep it off the
   * shared Lease) and stops it.
   */
  public OperatorProcess operatorVia(String server, String podName) throws IOException {
    Path kubeconfig = options.dir().resolve(podName + ".kubeconfig");
    Files.writeString(kubeconfig, Files.readString(operatorKubeconfig).replace(controlPlane.server(), server));
    return new OperatorProcess(OperatorJar.built(kube.repository()), kubeconfig, options.hostsFile(),
        options.dir().resolve("logs").resolve(podName + ".log"), OperatorInstall.NAMESPACE, podName);
  }

  /** A second replica (operator-standby.log), as the chart's second pod: it reconciles once it holds the Lease. */
  public synchronized OperatorProcess startStandbyOperator() throws IOException {
    if (standby == null || !standby.alive()) {
      standby = operatorReplica("operator-standby.log", OperatorInstall.RELEASE + "-1");
      standby.start(Map.of());
    }
    return standby;
  }

  public synchronized void stopStandbyOperator() throws InterruptedException {
    if (standby != null) standby.close();
    standby = null;
  }

  public synchronized java.util.Optional<OperatorProcess> standbyOperator() {
    return java.util.Optional.ofNullable(standby);
  }

  /**
   * Hands the operator to the chart's Deployment: the local replicas stop (SIGTERM), and the Deployment is scaled to
   * the chart's default {@code replicaCount}, whose pods the kubelet runs from the operator's image (its jar), with
   * the ServiceAccount token the API server binds to each pod. Returns that replica count.
   */
  public synchronized int runChartDeployment() throws Exception {
    stopStandbyOperator();
    if (operator != null) operator.close();
    operator = null;
    Map<?, ?> values = admin.getKubernetesSerialization().unmarshal(
        Files.readString(kube.repository().resolve("charts/etcdpilot/values.yaml")), Map.class);
    int replicas = ((Number) values.get("replicaCount")).intValue();
    admin.apps().deployments().inNamespace(OperatorInstall.NAMESPACE).withName(OperatorInstall.RELEASE).scale(replicas);
    return replicas;
  }

  /** Scales the chart's Deployment back to 0 (its pods gone) and starts the local operator again. */
  public synchronized void stopChartDeployment() throws Exception {
    admin.apps().deployments().inNamespace(OperatorInstall.NAMESPACE).withName(OperatorInstall.RELEASE).scale(0);
    Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
    while (!admin.pods().inNamespace(OperatorInstall.NAMESPACE).withLabel("app.kubernetes.io/name", "etcdpilot").list()
        .getItems().isEmpty()) {
      if (Instant.now().isAfter(deadline)) throw new IllegalStateException("the operator's pods did not terminate");
      Thread.sleep(200);
    }
    startOperator(Map.of());
  }

  /** Stops the operator (SIGTERM) and starts it again with extra environment. */
  public synchronized void restartOperator(Map<String, String> env) throws Exception {
    if (operator != null) operator.close();
    startOperator(env);
  }

  public synchronized OperatorProcess operator() {
    return operator;
  }

  /** The operator replicas running now (the first, and the standby when started). */
  public synchronized java.util.List<OperatorProcess> operators() {
    return java.util.stream.Stream.of(operator, standby).filter(o -> o != null && o.alive()).toList();
  }

  public Path dir() { return options.dir(); }
  public Path kubeconfig() { return controlPlane.adminKubeconfig(); }
  public Path hostsFile() { return options.hostsFile(); }
  public Kubelet kubelet() { return kubelet; }
  public ObjectStoreServer objectStore() { return objectStore; }
  public EtcdBinaries binaries() { return binaries; }
  public ControlPlane controlPlane() { return controlPlane; }
  public java.util.List<String> nodeNames() { return nodes.nodeNames(); }

  /** A client with the admin kubeconfig, as a cluster administrator would have. */
  public KubernetesClient client() throws IOException {
    return controlPlane.adminClient();
  }

  /** The newest etcd 3.5 the machine has or Debian's stable suite offers: supported, unlike 3.4. */
  public static String supportedEtcdVersion(EtcdBinaries binaries) throws IOException, InterruptedException {
    Optional<String> local = binaries.available().stream().filter(v -> v.startsWith("3.5."))
        .max(Comparator.comparing(io.etcdpilot.operator.model.EtcdVersion::parse));
    return local.isPresent() ? local.get() : binaries.fetch(EtcdBinaries.SUITES.get(0));
  }

  @Override
  public void close() throws Exception {
    if (prometheus != null) prometheus.close();
    if (standby != null) standby.close();
    if (operator != null) operator.close();
    if (kubelet != null) kubelet.close();
    if (nodes != null) nodes.close();
    if (kubeletServer != null) kubeletServer.close();
    if (provisioner != null) provisioner.close();
    if (objectStore != null) objectStore.close();
    if (admin != null) admin.close();
    if (controlPlane != null) controlPlane.close();
  }
}
