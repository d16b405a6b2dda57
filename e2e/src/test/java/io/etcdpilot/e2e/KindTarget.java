package io.etcdpilot.e2e;

import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.sandbox.Faults;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * A real cluster (kind) from the current kubeconfig, with the operator already installed from the chart.
 * etcdctl runs inside a member pod with kubectl exec. The test JVM cannot reach pod addresses, so
 * scenarios that need jetcd from outside or process-level faults are skipped on this target.
 */
final class KindTarget implements TargetCluster {
  private final KubernetesClient client = new KubernetesClientBuilder().build();

  @Override
  public KubernetesClient client() {
    return client;
  }

  @Override
  public String etcdVersion() {
    return System.getProperty("etcdpilot.e2e.etcdVersion", "3.5.16");
  }

  @Override
  public Exec etcdctl(String namespace, String cluster, String... args) {
    List<String> cmd = new ArrayList<>(List.of("kubectl", "exec", "-n", namespace, cluster + "-0", "-c", "etcd", "--",
        "etcdctl", "--endpoints=http://localhost:" + ClusterNames.CLIENT_PORT));
    cmd.addAll(List.of(args));
    return Exec.run(cmd, java.util.Map.of());
  }

  @Override
  public List<String> clientUrls(String namespace, String cluster) {
    throw new org.opentest4j.TestAbortedException("member addresses are not reachable from the test JVM on kind");
  }

  @Override
  public ClientCredentials credentials(String namespace, String cluster) {
    throw new org.opentest4j.TestAbortedException("member addresses are not reachable from the test JVM on kind");
  }

  @Override
  public void fault(String namespace, String pod, Faults.Fault fault) {
    throw new org.opentest4j.TestAbortedException("process-level faults are sandbox-only");
  }

  @Override
  public void restartOperator(java.util.Map<String, String> env) {
    throw new org.opentest4j.TestAbortedException("operator crash points are sandbox-only");
  }

  @Override
  public boolean operatorRunning() {
    return true;
  }

  @Override
  public boolean memberProcessAlive(String namespace, String pod) {
    return client.pods().inNamespace(namespace).withName(pod).get() != null;
  }

  @Override
  public Exec kubectl(String... args) {
    List<String> cmd = new ArrayList<>(List.of("kubectl"));
    cmd.addAll(List.of(args));
    return Exec.run(cmd, java.util.Map.of());
  }

  @Override
  public String operatorLog() {
    Exec logs = kubectl("logs", "-n", System.getProperty("etcdpilot.e2e.operatorNamespace", "etcdpilot-system"),
        "deployment/etcdpilot", "--all-containers");
    return logs.output();
  }

  @Override
  public void close() {
    client.close();
  }
}
