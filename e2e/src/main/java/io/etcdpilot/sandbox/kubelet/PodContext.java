package io.etcdpilot.sandbox.kubelet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;

/**
 * Who a pod is, for the parts that run it (volumes, container processes, probes, status): its object, its address,
 * the user its processes run as, and the kubelet they all report to.
 *
 * @param runAs the user the pod's processes run as; its loopback traffic leaves from {@code ip}
 */
record PodContext(Kubelet kubelet, ObjectNode pod, String namespace, String name, String uid, String ip, int runAs) {
  static PodContext of(Kubelet kubelet, ObjectNode pod, String ip, int runAs) {
    return new PodContext(kubelet, pod, pod.path("metadata").path("namespace").asText(),
        pod.path("metadata").path("name").asText(), pod.path("metadata").path("uid").asText(), ip, runAs);
  }

  /** Where the sandbox keeps this pod's own files (pid files, its user, non-claim volumes). */
  Path podDir() {
    return kubelet.dir().resolve("pods").resolve(namespace).resolve(name);
  }

  /** A downward API field. */
  String fieldValue(String fieldPath) {
    return switch (fieldPath) {
      case "metadata.name" -> name;
      case "metadata.namespace" -> namespace;
      case "metadata.uid" -> uid;
      case "status.podIP" -> ip;
      case "status.hostIP" -> "127.0.0.1";
      case "spec.nodeName" -> pod.path("spec").path("nodeName").asText();
      case "spec.serviceAccountName" -> pod.path("spec").path("serviceAccountName").asText("default");
      default -> "";
    };
  }

  /** An Event about the pod, as the kubelet records one. */
  void event(String type, String reason, String message, String container) {
    kubelet.events().record(namespace, name, uid, pod.path("spec").path("nodeName").asText(), type, reason, message,
        container);
  }
}
