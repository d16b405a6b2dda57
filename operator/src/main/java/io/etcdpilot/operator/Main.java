package io.etcdpilot.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.etcdpilot.operator.etcd.EtcdAdmin;
import io.etcdpilot.operator.logging.LogFormat;
import io.etcdpilot.operator.snapshot.EtcdSnapshotReconciler;
import io.etcdpilot.operator.snapshot.EndpointPolicy;
import io.etcdpilot.operator.snapshot.SnapshotJobs;
import io.etcdpilot.operator.snapshot.SnapshotTaker;
import io.etcdpilot.operator.upgrade.UpgradeMinimums;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import java.security.Security;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import io.etcdpilot.operator.cluster.Dependencies;
import io.etcdpilot.operator.cluster.EtcdClusterReconciler;
import io.etcdpilot.operator.cluster.OperatorSettings;
import io.etcdpilot.operator.etcd.EtcdObserver;
import io.etcdpilot.operator.etcd.JetcdObserver;
import io.etcdpilot.operator.health.HealthListeners;
import io.etcdpilot.operator.health.OperatorHealth;
import io.etcdpilot.operator.health.ReconcileWatch;
import io.etcdpilot.operator.kube.LeaseFence;
import io.etcdpilot.operator.metrics.ClusterMetrics;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point: in-cluster or from a kubeconfig, all namespaces or a list, with leader election. */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  /** The leader-election Lease, in the operator's namespace. */
  public static final String LEASE_NAME = "etcdpilot-operator";

  private Main() {}

  public static void main(String[] args) throws Exception {
    // Member names resolve only once their pod exists, and a rescheduled pod gets a new address: the JDK would cache
    // a failed lookup for 10 s and a good one for 30 s, so a new member would be seen up to 10 s late and a moved one
    // missed. Set before the first lookup (security properties win over -Dsun.net.inetaddr.*).
    Security.setProperty("networkaddress.cache.negative.ttl", "0");
    Security.setProperty("networkaddress.cache.ttl", "5");
    OperatorOptions options;
    try {
      options = OperatorOptions.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    LogFormat.of(options.logFormat()).apply();
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config(options)).build();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // The JVM's memory pools, direct buffers, collections and threads: what to hold against the container's memory
    // limit. Bound here, once per process, not in start(): the tests start many operators in one JVM.
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    OperatorHealth health = health(options);
    Operator operator = start(client, options, registry, health);
    operator.installShutdownHook(Duration.ofSeconds(10));
    if (options.healthPort() > 0) {
      probeApiServer(client, health);
      serveHealth(operator, options.healthPort(), options.healthAddress(), registry, health);
    }
    log.info("etcdpilot operator started (namespaces: {}, leader election: {})",
        options.namespaces().isEmpty() ? "all" : options.namespaces(), options.leaderElection());
  }

  /** Fresh health state: no pass seen yet, the API server not yet asked. */
  private static OperatorHealth health(OperatorOptions options) {
    return new OperatorHealth(new ReconcileWatch(), options.leaderElection());
  }

  /** Builds, registers and starts the operator; shared by {@link #main} and the tests. */
  public static Operator start(KubernetesClient client, OperatorOptions options) {
    return start(client, options, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        health(options));
  }

  static Operator start(KubernetesClient client, OperatorOptions options, MeterRegistry registry, OperatorHealth health) {
    JetcdObserver etcd = new JetcdObserver();
    Runtime.getRuntime().addShutdownHook(new Thread(etcd::close, "etcd-channels-close"));
    return start(client, options, etcd, etcd,
        new OperatorSettings(options.clusterDomain(), Duration.ofSeconds(60), Duration.ofSeconds(5),
            options.learnerDeadline(), options.failedMemberDeadline(),
            UpgradeMinimums.withOverrides(options.upgradeMinimums()),
            options.upgradeProgressDeadline(), options.agentImage(),
            EndpointPolicy.parse(options.snapshotEndpoints(), options.clusterDomain())), registry, health);
  }

  public static Operator start(KubernetesClient client, OperatorOptions options, EtcdObserver observer,
      EtcdAdmin admin, OperatorSettings settings) {
    return start(client, options, observer, admin, settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        health(options));
  }

  public static Operator start(KubernetesClient client, OperatorOptions options, EtcdObserver observer,
      EtcdAdmin admin, OperatorSettings settings, MeterRegistry registry,
      OperatorHealth health) {
    registry.gauge("etcdpilot_operator_leader", health, h -> h.leader() ? 1 : 0);
    // Named explicitly so that the Lease fence knows which holder this replica is (the pod's name in a Deployment).
    String identity = Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank())
        .orElseGet(() -> UUID.randomUUID().toString());
    String leaseNamespace = options.leaderElectionNamespace();
    Operator operator = new Operator(o -> {
      // JOSDK's own reconcile metrics, without per-resource tags (bounded cardinality).
      // Per resource (namespace and name, as the reconcile-error alert groups them), and dropped a minute after the
      // resource is deleted: one set of meters per live object, never a growing pile.
      o.withMetrics(MicrometerMetrics.newPerResourceCollectingMicrometerMetricsBuilder(registry)
          .withCleanUpDelayInSeconds(60).withCleaningThreadNumber(1).build());
      o.withKubernetesClient(client)
          // One write path for every API server we meet: plain create/update/patch, no server-side apply.
          .withSSABasedCreateUpdateMatchForDependentResources(false)
          .withUseSSAToPatchPrimaryResource(false)
          .withCloseClientOnStop(true);
      if (options.leaderElection()) {
        // JOSDK's defaults for the timings and the identity (HOSTNAME: the pod's name); the callbacks only tell
        // /readyz and the leader gauge which replica holds the Lease (losing it ends the process, as by default).
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(LEASE_NAME,
            options.leaderElectionNamespace(), LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
            LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE, LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
            identity, new LeaderCallbacks(() -> health.leading(true),
                () -> health.leading(false), leader -> { }), true));
      }
    });
    // Snapshots stream on threads of their own, never on a reconcile thread.
    SnapshotJobs snapshotJobs = new SnapshotJobs(2);
    SnapshotTaker snapshotTaker = new SnapshotTaker(client, settings.clusterDomain(), observer,
        settings.snapshotEndpoints());
    operator.register(new EtcdSnapshotReconciler(client, snapshotJobs, snapshotTaker, settings.snapshotEndpoints(),
        Clock.systemUTC()), c -> {
      if (!options.namespaces().isEmpty()) c.settingNamespaces(options.namespaces());
    });
    operator.register(new EtcdClusterReconciler(new Dependencies(client, observer, admin, settings, Clock.systemUTC(),
        snapshotJobs, snapshotTaker, new ClusterMetrics(registry), health.passes(), !options.leaderElection() ? LeaseFence.NONE
        : new LeaseFence(() -> client.leases().inNamespace(leaseNamespace).withName(LEASE_NAME).get(), identity,
            LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE, Clock.systemUTC()))), c -> {
      // A failing pass is retried for as long as it fails, from 1 s doubling up to 2 minutes (JOSDK's default gives
      // up after 5 attempts, leaving the next pass to the 10-hour maximum interval).
      c.withRetry(new GenericRetry().setInitialInterval(1000)
          .setIntervalMultiplier(2).setMaxInterval(120_000).withoutMaxAttempts());
      if (!options.namespaces().isEmpty()) {
        c.settingNamespaces(options.namespaces());
      }
    });
    operator.start();
    return operator;
  }

  private static Config config(OperatorOptions options) throws IOException {
    if (options.kubeconfig() == null) {
      return Config.autoConfigure(null);
    }
    return Config.fromKubeconfig(null, Files.readString(Path.of(options.kubeconfig())), options.kubeconfig());
  }

  private static void serveHealth(Operator operator, int port, String address, PrometheusMeterRegistry registry,
      OperatorHealth health) throws IOException {
    Map<String, HttpHandler> handlers = new LinkedHashMap<>();
    handlers.put("/metrics", ex -> {
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    handlers.put("/healthz", ex -> respond(ex, health.liveness()));
    handlers.put("/readyz", ex -> {
      boolean started = operator.getRuntimeInfo().isStarted();
      respond(ex, health.readiness(started, started && operator.getRuntimeInfo().allEventSourcesAreHealthy()));
    });
    HealthListeners.start(HealthListeners.plan(address, port), handlers);
  }

  private static void respond(HttpExchange ex, OperatorHealth.Answer answer) throws IOException {
    byte[] body = (answer.reason() + "\n").getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(answer.ok() ? 200 : 503, body.length);
    ex.getResponseBody().write(body);
    ex.close();
  }

  /** Asks the API server for its version every 5 s, off the request path; /healthz reads when it last answered. */
  private static void probeApiServer(KubernetesClient client, OperatorHealth health) {
    var timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "api-server-probe");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(() -> {
      try {
        client.getKubernetesVersion();
        health.apiServerAnswered();
      } catch (RuntimeException e) {
        log.warn("the API server does not answer: {}", e.toString());
      }
    }, 0, 5, TimeUnit.SECONDS);
  }
}
