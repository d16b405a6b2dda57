package io.etcdpilot.sandbox.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.sandbox.ChildProcess;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Prometheus (Debian's package) with the chart's alert rules, scraping every etcd member's metrics port with
 * the labels the chart's PodMonitor gives them (job "etcd", namespace, etcd_cluster, pod). Members are found the way
 * the PodMonitor finds them (component "member", managed by etcdpilot) and written to a file_sd file as pods come
 * and go. The operator's replicas are scraped as the chart's ServiceMonitor labels them (job "etcdpilot", pod).
 * Scrapes and rule evaluations every 2 s, so that alerts move in test time; the rules' own `for` is kept.
 */
public final class PrometheusServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PrometheusServer.class);
  public static final Path BINARY = Path.of("/usr/bin/prometheus");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ChildProcess process;
  private final URI url;
  private final ScheduledExecutorService discovery;
  private final HttpClient http = HttpClient.newHttpClient();

  private PrometheusServer(ChildProcess process, URI url, ScheduledExecutorService discovery) {
    this.process = process;
    this.url = url;
    this.discovery = discovery;
  }

  public static PrometheusServer start(Path dir, Path rules, KubernetesClient admin,
      java.util.function.Supplier<List<io.etcdpilot.sandbox.OperatorProcess>> operators) throws Exception {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(BINARY + " is missing: bin/ensure-etcd installs Debian's prometheus package");
    }
    Files.createDirectories(dir.resolve("data"));
    Path targets = dir.resolve("etcd-targets.json");
    Files.writeString(targets, "[]");
    Path operatorTargets = dir.resolve("operator-targets.json");
    Files.writeString(operatorTargets, "[]");
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, """
        global: {scrape_interval: 2s, scrape_timeout: 1s, evaluation_interval: 2s}
        rule_files: ['%s']
        scrape_configs:
          - job_name: etcd
            file_sd_configs: [{files: ['%s'], refresh_interval: 2s}]
          - job_name: etcdpilot
            honor_labels: true
            file_sd_configs: [{files: ['%s'], refresh_interval: 2s}]
        """.formatted(rules.toAbsolutePath(), targets, operatorTargets));
    int port = io.etcdpilot.sandbox.controlplane.ControlPlane.freePort();
    ChildProcess process = ChildProcess.start("prometheus", List.of(BINARY.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port, "--log.level=warn"),
        Map.of(), dir.resolve("prometheus.log"));
    ScheduledExecutorService discovery = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "prometheus-discovery");
      t.setDaemon(true);
      return t;
    });
    PrometheusServer server = new PrometheusServer(process, URI.create("http://127.0.0.1:" + port), discovery);
    discovery.scheduleWithFixedDelay(() -> {
      server.writeTargets(admin, targets);
      server.writeOperatorTargets(admin, operators.get(), operatorTargets);
    }, 0, 2, TimeUnit.SECONDS);
    server.awaitReady();
    return server;
  }

  public URI url() {
    return url;
  }

  private void writeTargets(KubernetesClient admin, Path file) {
    try {
      ArrayNode out = JSON.createArrayNode();
      for (Pod p : admin.pods().inAnyNamespace().withLabel(ClusterNames.LABEL_COMPONENT, "member")
          .withLabel(ClusterNames.LABEL_MANAGED_BY, ClusterNames.MANAGED_BY).list().getItems()) {
        String ip = p.getStatus() == null ? null : p.getStatus().getPodIP();
        if (ip == null || ip.isEmpty() || p.getMetadata().getDeletionTimestamp() != null) continue;
        ObjectNode t = out.addObject();
        t.putArray("targets").add(ip + ":" + ClusterNames.METRICS_PORT);
        ObjectNode labels = t.putObject("labels");
        labels.put("namespace", p.getMetadata().getNamespace());
        labels.put("etcd_cluster", p.getMetadata().getLabels().get(ClusterNames.LABEL_CLUSTER));
        labels.put("pod", p.getMetadata().getName());
      }
      writeAtomically(file, JSON.writeValueAsString(out));
    } catch (Exception e) {
      log.warn("could not list the members to scrape: {}", e.toString());
    }
  }

  /** The operator's local processes and the chart's Deployment pods (their `health` port, as the ServiceMonitor). */
  private void writeOperatorTargets(KubernetesClient admin, List<io.etcdpilot.sandbox.OperatorProcess> operators, Path file) {
    try {
      ArrayNode out = JSON.createArrayNode();
      for (var o : operators) {
        ObjectNode t = out.addObject();
        t.putArray("targets").add(o.healthUrl().getAuthority());
        t.putObject("labels").put("pod", o.podName()).put("namespace", io.etcdpilot.sandbox.OperatorInstall.NAMESPACE);
      }
      for (Pod p : admin.pods().inNamespace(io.etcdpilot.sandbox.OperatorInstall.NAMESPACE)
          .withLabel("app.kubernetes.io/name", "etcdpilot").list().getItems()) {
        String ip = p.getStatus() == null ? null : p.getStatus().getPodIP();
        if (ip == null || ip.isEmpty() || p.getMetadata().getDeletionTimestamp() != null) continue;
        for (var port : p.getSpec().getContainers().get(0).getPorts()) {
          if (!"health".equals(port.getName())) continue;
          ObjectNode t = out.addObject();
          t.putArray("targets").add(ip + ":" + port.getContainerPort());
          t.putObject("labels").put("pod", p.getMetadata().getName()).put("namespace", p.getMetadata().getNamespace());
        }
      }
      writeAtomically(file, JSON.writeValueAsString(out));
    } catch (Exception e) {
      log.warn("could not write the operator's scrape targets: {}", e.toString());
    }
  }

  private static void writeAtomically(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private void awaitReady() throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
    while (true) {
      process.checkAlive();
      try {
        if (http.send(HttpRequest.newBuilder(url.resolve("/-/ready")).build(), HttpResponse.BodyHandlers.discarding())
            .statusCode() == 200) return;
      } catch (IOException e) {
        // not listening yet
      }
      if (Instant.now().isAfter(deadline)) throw new IllegalStateException("Prometheus was not ready within a minute");
      Thread.sleep(200);
    }
  }

  /** An instant query's result vector. */
  public JsonNode query(String promql) throws Exception {
    return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("data").path("result");
  }

  /** Alerts pending or firing now. */
  public JsonNode alerts() throws Exception {
    return get("/api/v1/alerts").path("data").path("alerts");
  }

  /** Rule groups as Prometheus loaded them (a rule that failed to load is not there). */
  public JsonNode ruleGroups() throws Exception {
    return get("/api/v1/rules").path("data").path("groups");
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IOException("Prometheus answered " + r.statusCode() + ": " + r.body());
    return JSON.readTree(r.body());
  }

  @Override
  public void close() throws InterruptedException {
    discovery.shutdownNow();
    process.stop(10);
  }
}
