package io.etcdpilot.sandbox.kubelet;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the sandbox's Node objects and keeps them alive as a kubelet does: a Lease in kube-node-lease renewed
 * every 10 s and the Ready condition's heartbeat, so the node lifecycle controller leaves them untainted and the
 * scheduler binds pods to them. All nodes are this machine; they differ in name, zone, labels and taints.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);
  public static final String ZONE_LABEL = "topology.kubernetes.io/zone";
  /** Label and taint key of the nodes set aside for etcd (`--dedicated`). */
  public static final String DEDICATED = "etcdpilot.io/dedicated";
  public static final String DEDICATED_VALUE = "etcd";
  static final String LEASE_NAMESPACE = "kube-node-lease";
  private static final List<String> ZONES = List.of("a", "b", "c");

  /** @param dedicated how many of the nodes (the last ones) are labelled and tainted as dedicated etcd nodes */
  public record Options(int nodes, int dedicated, String kubeletVersion, int kubeletPort) {}

  private final KubernetesClient client;
  private final Options options;
  private final List<String> names = new ArrayList<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "node-heartbeat");
    t.setDaemon(true);
    return t;
  });
  private final Instant started = Instant.now();

  public NodeAgent(KubernetesClient client, Options options) {
    this.client = client;
    this.options = options;
    for (int i = 1; i <= options.nodes(); i++) names.add("node-" + i);
  }

  public List<String> nodeNames() {
    return names;
  }

  public void start() {
    for (int i = 0; i < names.size(); i++) {
      Node node = node(i);
      client.nodes().resource(node).create();
      log.info("node {} registered (zone {}{})", names.get(i), node.getMetadata().getLabels().get(ZONE_LABEL),
          dedicated(i) ? ", dedicated to etcd" : "");
    }
    renewLeases();
    timer.scheduleWithFixedDelay(this::renewLeases, 10, 10, TimeUnit.SECONDS);
    timer.scheduleWithFixedDelay(this::heartbeat, 60, 60, TimeUnit.SECONDS);
  }

  private boolean dedicated(int index) {
    return index >= options.nodes() - options.dedicated();
  }

  private Node node(int index) {
    String name = names.get(index);
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("kubernetes.io/hostname", name);
    labels.put("kubernetes.io/os", "linux");
    labels.put("kubernetes.io/arch", "amd64");
    labels.put("topology.kubernetes.io/region", "sandbox");
    labels.put(ZONE_LABEL, ZONES.get(index % ZONES.size()));
    if (dedicated(index)) labels.put(DEDICATED, DEDICATED_VALUE);
    NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata();
    if (dedicated(index)) {
      b.withNewSpec().addNewTaint().withKey(DEDICATED).withValue(DEDICATED_VALUE).withEffect("NoSchedule").endTaint().endSpec();
    }
    Map<String, Quantity> capacity = Map.of("cpu", new Quantity("8"), "memory", new Quantity("16Gi"),
        "pods", new Quantity("110"), "ephemeral-storage", new Quantity("100Gi"));
    return b.withNewStatus()
        .withCapacity(capacity).withAllocatable(capacity)
        .withConditions(conditions(Instant.now()))
        .addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress()
        .addNewAddress().withType("Hostname").withAddress(name).endAddress()
        .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(options.kubeletPort()).endKubeletEndpoint().endDaemonEndpoints()
        .withNewNodeInfo()
          .withMachineID(UUID.nameUUIDFromBytes(name.getBytes()).toString().replace("-", ""))
          .withSystemUUID(UUID.nameUUIDFromBytes(name.getBytes()).toString())
          .withBootID(UUID.randomUUID().toString())
          .withKernelVersion(System.getProperty("os.version")).withOsImage("etcdpilot sandbox")
          .withContainerRuntimeVersion("sandbox://1").withKubeletVersion(options.kubeletVersion())
          .withOperatingSystem("linux").withArchitecture("amd64")
        .endNodeInfo()
        .endStatus().build();
  }

  private List<NodeCondition> conditions(Instant now) {
    String heartbeat = now.truncatedTo(ChronoUnit.SECONDS).toString();
    String since = started.truncatedTo(ChronoUnit.SECONDS).toString();
    List<NodeCondition> out = new ArrayList<>();
    for (String pressure : List.of("MemoryPressure", "DiskPressure", "PIDPressure")) {
      out.add(new NodeConditionBuilder().withType(pressure).withStatus("False").withReason("KubeletHas" + "No" + pressure)
          .withMessage("sandbox node").withLastHeartbeatTime(heartbeat).withLastTransitionTime(since).build());
    }
    out.add(new NodeConditionBuilder().withType("Ready").withStatus("True").withReason("KubeletReady")
        .withMessage("sandbox kubelet is posting ready status").withLastHeartbeatTime(heartbeat)
        .withLastTransitionTime(since).build());
    return out;
  }

  private void renewLeases() {
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    for (String name : names) {
      try {
        var leases = client.resources(Lease.class).inNamespace(LEASE_NAMESPACE);
        Lease current = leases.withName(name).get();
        if (current == null) {
          Node node = client.nodes().withName(name).get();
          leases.resource(new LeaseBuilder().withNewMetadata().withName(name).withNamespace(LEASE_NAMESPACE)
              .addNewOwnerReference().withApiVersion("v1").withKind("Node").withName(name)
                .withUid(node.getMetadata().getUid()).endOwnerReference().endMetadata()
              .withNewSpec().withHolderIdentity(name).withLeaseDurationSeconds(40).withRenewTime(now).endSpec().build()).create();
        } else {
          current.getSpec().setRenewTime(now);
          leases.resource(current).update();
        }
      } catch (KubernetesClientException e) {
        log.warn("node {}: lease renewal failed: {}", name, e.getMessage());
      }
    }
  }

  private void heartbeat() {
    String patch = io.fabric8.kubernetes.client.utils.Serialization.asJson(
        Map.of("status", Map.of("conditions", conditions(Instant.now()))));
    for (String name : names) {
      try {
        client.nodes().withName(name).subresource("status").patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
      } catch (KubernetesClientException e) {
        log.warn("node {}: status heartbeat failed: {}", name, e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
