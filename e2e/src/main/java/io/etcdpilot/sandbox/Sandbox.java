package io.etcdpilot.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcdpilot.sandbox.apiserver.ApiServer;
import io.etcdpilot.sandbox.apiserver.ObjectStore;
import io.etcdpilot.sandbox.apiserver.ResourceRegistry;
import io.etcdpilot.sandbox.apiserver.ResourceType;
import io.etcdpilot.sandbox.controllers.StatefulSetController;
import io.etcdpilot.sandbox.kubelet.EtcdBinaries;
import io.etcdpilot.sandbox.kubelet.HostsFile;
import io.etcdpilot.sandbox.kubelet.Kubelet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A local stand-in for a Kubernetes cluster: API server, StatefulSet controller and one kubelet that runs
 * etcd pods as real processes, plus (optionally) the operator against it. Not a Kubernetes distribution:
 * only what the operator and kubectl touch.
 */
public final class Sandbox implements AutoCloseable {
  public static final String CLUSTER_DOMAIN = "cluster.local";
  public static final String CRD_RESOURCE = "/META-INF/fabric8/etcdclusters.etcdpilot.io-v1.yml";

  /** Where the sandbox keeps its state, and what it starts. */
  /**
   * @param instance separates sandboxes running at the same time (pod address range, uids, NAT chain)
   */
  public record Options(Path dir, Path hostsFile, boolean startOperator, int instance) {}

  private final Options options;
  private final ObjectStore store;
  private final ApiServer api;
  private final StatefulSetController statefulSets;
  private final Kubelet kubelet;
  private final EtcdBinaries binaries;
  private final Path kubeconfig;
  private OperatorProcess operator;
  private final int port;

  private Sandbox(Options options) throws Exception {
    this.options = options;
    Files.createDirectories(options.dir());
    ResourceRegistry registry = new ResourceRegistry();
    store = new ObjectStore(registry);
    api = new ApiServer(store);
    port = api.start("127.0.0.1", 0);
    kubeconfig = options.dir().resolve("kubeconfig");
    Files.writeString(kubeconfig, kubeconfigText(port));
    ResourceType ns = registry.find("", "v1", "namespaces").orElseThrow();
    for (String n : List.of("default", "kube-system")) {
      ObjectNode o = ObjectStore.JSON.createObjectNode();
      o.putObject("metadata").put("name", n);
      o.putObject("status").put("phase", "Active");
      store.create(ns, null, o);
    }
    applyCrd();
    statefulSets = new StatefulSetController(store);
    statefulSets.start();
    binaries = new EtcdBinaries(EtcdBinaries.defaultCache());
    HostsFile hosts = new HostsFile(options.hostsFile());
    kubelet = new Kubelet(store, options.dir(), hosts, binaries, CLUSTER_DOMAIN,
        new io.etcdpilot.sandbox.kubelet.PodNetwork(options.instance()));
    api.setLogSource((namespace, pod, container) -> Optional.of(kubelet.logFile(namespace, pod, container)));
    kubelet.start();
    if (options.startOperator()) {
      startOperator();
    }
  }

  public static Sandbox start(Options options) throws Exception {
    return new Sandbox(options);
  }

  private void applyCrd() throws IOException {
    try (InputStream in = Sandbox.class.getResourceAsStream(CRD_RESOURCE)) {
      if (in == null) throw new IllegalStateException("CRD " + CRD_RESOURCE + " not on the classpath: build the operator module");
      ObjectNode crd = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper(
          new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(in);
      store.create(store.registry().find("apiextensions.k8s.io", "v1", "customresourcedefinitions").orElseThrow(), null, crd);
    }
  }

  private static String kubeconfigText(int port) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: etcdpilot-sandbox
          cluster:
            server: http://127.0.0.1:%d
        contexts:
        - name: etcdpilot-sandbox
          context:
            cluster: etcdpilot-sandbox
            user: sandbox
            namespace: default
        current-context: etcdpilot-sandbox
        users:
        - name: sandbox
          user: {}
        """.formatted(port);
  }

  public synchronized void startOperator() throws IOException {
    operator = new OperatorProcess(kubeconfig, options.hostsFile(), options.dir().resolve("logs").resolve("operator.log"));
    operator.start();
  }

  /** Stops the operator (SIGTERM) and starts it again with extra environment. */
  public synchronized void restartOperator(java.util.Map<String, String> env) throws Exception {
    if (operator != null) operator.close();
    operator = new OperatorProcess(kubeconfig, options.hostsFile(), options.dir().resolve("logs").resolve("operator.log"));
    operator.start(env);
  }

  public synchronized OperatorProcess operator() {
    return operator;
  }

  public Path dir() { return options.dir(); }
  public Path kubeconfig() { return kubeconfig; }
  public Path hostsFile() { return options.hostsFile(); }
  public Kubelet kubelet() { return kubelet; }
  public EtcdBinaries binaries() { return binaries; }
  public int port() { return port; }

  /** A fabric8 client against the sandbox, as any user of the kubeconfig would have. */
  public KubernetesClient client() throws IOException {
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString()))
        .build();
  }

  /** The newest etcd 3.5 the machine has or Debian's stable suite offers: supported, unlike 3.4. */
  public static String supportedEtcdVersion(EtcdBinaries binaries) throws IOException, InterruptedException {
    Optional<String> local = binaries.available().stream().filter(v -> v.startsWith("3.5."))
        .max(Comparator.comparing(io.etcdpilot.operator.model.EtcdVersion::parse));
    return local.isPresent() ? local.get() : binaries.fetch(EtcdBinaries.SUITES.get(0));
  }

  @Override
  public void close() throws Exception {
    if (operator != null) operator.close();
    kubelet.close();
    statefulSets.close();
    api.close();
  }
}
