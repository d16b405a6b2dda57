package io.etcdpilot.e2e;

import io.etcdpilot.sandbox.Faults;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * Where end-to-end scenarios run: the sandbox (default) or a real cluster such as kind
 * (-Pkind). Scenarios use only this seam, so the same code checks both.
 */
public interface TargetCluster extends AutoCloseable {
  /** Result of a command run against a cluster's members. */
  record Exec(int exitCode, String output) {
    /** Runs a command to completion (bounded), output and errors together. */
    static Exec run(List<String> cmd, java.util.Map<String, String> env) {
      try {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return new Exec(-1, out + "\n(timed out)");
        }
        return new Exec(p.exitValue(), out);
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  KubernetesClient client();

  /** A supported etcd version this target can run. */
  String etcdVersion();

  /** Runs etcdctl (API v3) against the members of an EtcdCluster. */
  Exec etcdctl(String namespace, String cluster, String... args);

  /** Client URLs this test JVM can reach the members at (for jetcd). */
  List<String> clientUrls(String namespace, String cluster);

  /** The application client certificate of a cluster (null when TLS is off). */
  ClientCredentials credentials(String namespace, String cluster);

  void fault(String namespace, String pod, Faults.Fault fault);

  /** A fault that takes an argument ({@code slow-disk}'s delay). */
  default void fault(String namespace, String pod, Faults.Fault fault, String arg) {
    throw new UnsupportedOperationException(fault + " with an argument is not supported on this target");
  }

  /** A pod's container log as the target keeps it; empty when it keeps none. */
  default String podLog(String namespace, String pod, String container) {
    return "";
  }

  /** Restarts the operator with extra environment (crash points); whether it is running now. */
  void restartOperator(java.util.Map<String, String> env);

  boolean operatorRunning();

  /** Starts a second operator replica that waits for the Lease; false where the target cannot. */
  default boolean startStandbyOperator() {
    return false;
  }

  /** Whether the second replica runs and has taken the Lease (its log says it leads). */
  default boolean standbyOperatorLeads() {
    return false;
  }

  default void stopStandbyOperator() {}

  /** Whether a member's etcd process is running (by pod). */
  boolean memberProcessAlive(String namespace, String pod);

  /** Runs kubectl with an administrator's credentials. */
  Exec kubectl(String... args);

  /** The API server's own Prometheus metrics (apiserver_request_total and the rest), as text. */
  default String apiServerMetrics() {
    return client().raw("/metrics");
  }

  /** Everything the operator has logged so far, across its restarts. */
  String operatorLog();

  /** A Prometheus with the chart's rules scraping the members, started on first use, where the target has one. */
  default java.util.Optional<io.etcdpilot.sandbox.monitoring.PrometheusServer> monitoring() {
    return java.util.Optional.empty();
  }

  /** The API server's audit log (one JSON event per line), where the target keeps one. */
  default java.util.Optional<java.nio.file.Path> auditLog() {
    return java.util.Optional.empty();
  }

  /** The S3-compatible store snapshots can go to, if the target has one (the sandbox does). */
  default java.util.Optional<io.etcdpilot.sandbox.storage.ObjectStoreServer> objectStore() {
    return java.util.Optional.empty();
  }
}
