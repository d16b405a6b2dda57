package io.etcdpilot.operator.drill;

import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.model.EtcdFlags;
import io.etcdpilot.operator.model.RestoreSource;
import io.etcdpilot.operator.model.RestoreSteps;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Job of a restore drill: one pod, never a member. Its steps: fetch the snapshot and check it against its record
 * (the restore agent, as a member restoring would), {@code etcdutl snapshot restore} it onto a scratch volume (an
 * emptyDir that goes with the pod), then etcd serves that copy on the pod's own address only, and the drill agent
 * asks it for its revision, key count and hash. The operator reads the verdict from the pod and deletes the Job. Pure.
 */
public final class DrillJob {
  public static final String COMPONENT = "backup-drill";
  /** A drill that has not finished by then has failed; the Job's deadline ends its pod even if the operator is away. */
  public static final Duration DEADLINE = Duration.ofHours(2);
  /** The record of which snapshot the drill restores. */
  public static final String SNAPSHOT_ANNOTATION = "etcdpilot.io/drill-snapshot";
  private static final String SCRATCH = "scratch";

  private DrillJob() {}

  public static String name(ClusterNames names) {
    return names.cluster() + "-drill";
  }

  /** Labels of the Job and its pod: the cluster's (so the operator's caches see them), never a member's selector. */
  public static Map<String, String> labels(ClusterNames names) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(ClusterNames.LABEL_CLUSTER, names.cluster());
    labels.put(ClusterNames.LABEL_MANAGED_BY, ClusterNames.MANAGED_BY);
    labels.put(ClusterNames.LABEL_COMPONENT, COMPONENT);
    return labels;
  }

  public static boolean isDrillPod(Pod p) {
    return p.getMetadata().getLabels() != null && COMPONENT.equals(p.getMetadata().getLabels().get(ClusterNames.LABEL_COMPONENT));
  }

  /**
   * @param objects the cluster's objects (its etcd image, quota, resources, owner)
   * @param source the snapshot to restore, as a member restoring it would be told
   */
  public static Job of(ClusterObjects objects, RestoreSource source, String snapshot, String agentImage) {
    ClusterNames names = objects.names();
    ResourceRequirements resources = new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("100m")).addToRequests("memory", new Quantity("256Mi")).build();
    SecurityContext security = ClusterObjects.containerSecurity();
    List<VolumeMount> mounts = List.of(new VolumeMountBuilder().withName(SCRATCH)
        .withMountPath(ClusterObjects.DATA_MOUNT).build());
    EnvVar podIp = ClusterObjects.fieldEnv(EtcdFlags.ENV_POD_IP, "status.podIP");
    String ip = "$(" + EtcdFlags.ENV_POD_IP + ")";
    String peer = "http://" + ip + ":" + ClusterNames.PEER_PORT;
    String client = "http://" + ip + ":" + ClusterNames.CLIENT_PORT;
    Container fetch = RestoreSteps.fetch(agentImage, RestoreSteps.agentEnv(source,
        RestoreSteps.literal(RestoreSteps.ENV_MODE, RestoreSteps.MODE_SNAPSHOT)), mounts, resources, security)
        .withName("fetch").build();
    // No revision bump: the copy must be what was taken, revision for revision.
    Container restore = new ContainerBuilder().withName("restore-db").withImage(objects.image())
        .withCommand("/usr/local/bin/etcdutl")
        .withArgs("snapshot", "restore", RestoreSteps.SNAPSHOT_FILE, "--name=drill", "--initial-cluster=drill=" + peer,
            "--initial-advertise-peer-urls=" + peer, "--data-dir=" + RestoreSteps.RESTORED_DIR)
        .withEnv(podIp).withVolumeMounts(mounts).withResources(resources).withSecurityContext(security)
        .withTerminationMessagePolicy("FallbackToLogsOnError").build();
    List<String> etcdArgs = new ArrayList<>(List.of("--name=drill", "--data-dir=" + RestoreSteps.RESTORED_DIR,
        "--listen-client-urls=" + client, "--advertise-client-urls=" + client, "--listen-peer-urls=" + peer,
        "--initial-advertise-peer-urls=" + peer, "--initial-cluster=drill=" + peer,
        "--quota-backend-bytes=" + objects.quotaBytes()));
    Container etcd = new ContainerBuilder().withName("etcd").withImage(objects.image())
        .withCommand("/usr/local/bin/etcd").withArgs(etcdArgs)
        .withEnv(podIp).withVolumeMounts(mounts).withResources(resources).withSecurityContext(security)
        .withTerminationMessagePolicy("FallbackToLogsOnError").build();
    Container check = new ContainerBuilder().withName("check").withImage(agentImage)
        .withCommand("java", "-Djava.io.tmpdir=" + ClusterObjects.DATA_MOUNT, "-cp", RestoreSteps.AGENT_JAR, DrillAgent.MAIN)
        .withEnv(podIp, RestoreSteps.literal(DrillAgent.ENV_ENDPOINT, client))
        .withVolumeMounts(mounts).withResources(resources).withSecurityContext(security)
        .withTerminationMessagePath(DrillAgent.MESSAGE_FILE)
        .withTerminationMessagePolicy("FallbackToLogsOnError").build();
    Map<String, String> labels = labels(names);
    return new JobBuilder()
        .withNewMetadata().withName(name(names)).withNamespace(names.namespace()).withLabels(labels)
          .withAnnotations(Map.of(SNAPSHOT_ANNOTATION, snapshot))
          .withOwnerReferences(objects.ownerReference()).endMetadata()
        .withNewSpec()
          .withBackoffLimit(0)
          .withActiveDeadlineSeconds(DEADLINE.toSeconds())
          .withNewTemplate()
            .withNewMetadata().withLabels(labels).withAnnotations(Map.of(SNAPSHOT_ANNOTATION, snapshot)).endMetadata()
            .withNewSpec()
              .withRestartPolicy("Never")
              .withEnableServiceLinks(false)
              .withAutomountServiceAccountToken(false)
              .withSecurityContext(ClusterObjects.podSecurity())
              .withInitContainers(fetch, restore)
              .withContainers(etcd, check)
              .addNewVolume().withName(SCRATCH).withNewEmptyDir().endEmptyDir().endVolume()
            .endSpec()
          .endTemplate()
        .endSpec()
        .build();
  }

  /**
   * What the drill's pod says: the check's verdict once it exited, a failed step's last line, or still running.
   * @param pod the Job's pod; null: none yet
   */
  public static DrillPlan.Outcome outcome(Pod pod) {
    if (pod == null || pod.getStatus() == null) return new DrillPlan.Running();
    var status = pod.getStatus();
    if (status.getInitContainerStatuses() != null) {
      for (var cs : status.getInitContainerStatuses()) {
        var t = cs.getState() == null ? null : cs.getState().getTerminated();
        if (t != null && t.getExitCode() != null && t.getExitCode() != 0) {
          return new DrillPlan.Failed(cs.getName() + ": " + lastLine(t.getMessage(), t.getExitCode()));
        }
      }
    }
    if (status.getContainerStatuses() != null) {
      for (var cs : status.getContainerStatuses()) {
        var t = cs.getState() == null ? null : cs.getState().getTerminated();
        if (t == null || t.getExitCode() == null) continue;
        if (cs.getName().equals("check")) {
          // The agent's verdict line, without its own "drill passed: " / "drill failed: " (the reason says it).
          String said = lastLine(t.getMessage(), t.getExitCode()).replaceFirst("^drill (passed|failed): ", "");
          if (t.getExitCode() != 0) return new DrillPlan.Failed(said);
          return new DrillPlan.Passed(t.getMessage() == null || t.getMessage().isBlank()
              ? "restored; etcd's revision, key count and hash agree with the manifest" : said);
        }
        if (cs.getName().equals("etcd")) {
          return new DrillPlan.Failed("etcd would not serve the restored copy: " + lastLine(t.getMessage(), t.getExitCode()));
        }
      }
    }
    if ("Failed".equals(status.getPhase())) {
      return new DrillPlan.Failed("the drill pod failed: " + (status.getMessage() != null ? status.getMessage()
          : status.getReason()));
    }
    return new DrillPlan.Running();
  }

  private static String lastLine(String message, int exitCode) {
    if (message == null || message.isBlank()) return "exit code " + exitCode;
    String m = message.strip();
    return m.lines().reduce((a, b) -> b).orElse(m);
  }
}
