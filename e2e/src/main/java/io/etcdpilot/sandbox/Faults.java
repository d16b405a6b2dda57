package io.etcdpilot.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Faults injected into pods. Works from the sandbox directory alone (pid files and volume directories the kubelet
 * keeps, the admin kubeconfig), so the CLI and the tests share it.
 */
public final class Faults {
  public enum Fault {
    crash, freeze, thaw, wipe_data, corrupt, partition, isolate, heal, slow_disk, fast_disk, cut_etcd, mend_etcd,
    pull_fails, pull_ok, cut_api, mend_api
  }

  /**
   * What {@code corrupt} looks for in a member's database file: the last byte of every copy of these bytes is flipped.
   * A value is data etcd hashes and bbolt does not check, so the member still opens its file and only the comparison
   * with its peers tells; write a key with this value first (the file's own structure is left alone).
   */
  public static final String CORRUPT_MARKER = "etcdpilot-corrupt-me";

  private Faults() {}

  public static Fault parse(String s) {
    return Fault.valueOf(s.replace('-', '_'));
  }

  public static String inject(Path dir, KubernetesClient client, String namespace, String pod, Fault fault)
      throws IOException, InterruptedException {
    return inject(dir, client, namespace, pod, fault, null);
  }

  /**
   * @param pod a pod; for {@code partition}, {@code isolate} and {@code heal} also several, comma-separated (one side
   *     of a split)
   * @param arg {@code slow-disk}: the delay (e.g. 200ms); null otherwise
   */
  public static String inject(Path dir, KubernetesClient client, String namespace, String pod, Fault fault, String arg)
      throws IOException, InterruptedException {
    switch (fault) {
      case partition, isolate, heal -> {
        return network(dir, client, namespace, List.of(pod.split(",")), fault);
      }
      case slow_disk, fast_disk -> {
        Path podDir = dir.resolve("pods").resolve(namespace).resolve(pod);
        if (fault == Fault.fast_disk) {
          io.etcdpilot.sandbox.kubelet.DiskDelay.fast(podDir);
          return "fast-disk " + namespace + "/" + pod;
        }
        long micros = micros(arg == null ? "200ms" : arg);
        io.etcdpilot.sandbox.kubelet.DiskDelay.slow(podDir, pid(dir, client, namespace, pod), micros);
        return "slow-disk " + namespace + "/" + pod + ": fsync +" + micros / 1000 + " ms";
      }
      case cut_etcd, mend_etcd -> {
        // The pod (an operator's) loses, or gets back, every etcd client port: its view of the members goes stale.
        int uid = uid(dir, namespace, pod);
        String tag = tag(namespace, pod, "etcd");
        if (fault == Fault.mend_etcd) {
          io.etcdpilot.sandbox.kubelet.PodNetwork.clear(uid, tag);
        } else {
          io.etcdpilot.sandbox.kubelet.PodNetwork.drop(uid, "127.0.0.0/8", 2379, tag, true);
        }
        return fault.name().replace('_', '-') + " " + namespace + "/" + pod;
      }
      default -> { }
    }
    if (fault == Fault.pull_fails || fault == Fault.pull_ok) {
      // Image pulls for this pod fail (or work again) from now on, whether or not the pod exists yet.
      Path marker = io.etcdpilot.sandbox.kubelet.Kubelet.pullFailsMarker(dir, namespace, pod);
      if (fault == Fault.pull_fails) {
        Files.createDirectories(marker.getParent());
        Files.writeString(marker, "");
      } else {
        Files.deleteIfExists(marker);
      }
      return fault.name().replace('_', '-') + " " + namespace + "/" + pod;
    }
    if (fault == Fault.cut_api || fault == Fault.mend_api) {
      // The pod's own user (the kubelet runs each pod as one) loses or regains the API server, across restarts.
      Path user = io.etcdpilot.sandbox.kubelet.Kubelet.podUserFile(dir, namespace, pod);
      if (!Files.exists(user)) throw new IllegalArgumentException("no pod " + namespace + "/" + pod + " has run here");
      io.etcdpilot.sandbox.kubelet.PodNetwork.cut(Integer.parseInt(Files.readString(user).trim()),
          java.net.URI.create(client.getMasterUrl().toString()).getPort(), fault == Fault.cut_api);
      return fault.name().replace('_', '-') + " " + namespace + "/" + pod;
    }
    Pod p = client.pods().inNamespace(namespace).withName(pod).get();
    if (p == null) throw new IllegalArgumentException("no pod " + namespace + "/" + pod);
    String container = p.getSpec().getContainers().get(0).getName();
    Path pidFile = dir.resolve("pods").resolve(namespace).resolve(pod).resolve(container + ".pid");
    if (!Files.exists(pidFile)) throw new IllegalStateException("pod " + namespace + "/" + pod + " has never started a process");
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    switch (fault) {
      case crash -> signal(pid, "KILL");
      case freeze -> signal(pid, "STOP");
      case thaw -> signal(pid, "CONT");
      case corrupt -> {
        // Stopped, then killed: nothing is written while the bytes change; the kubelet restarts it on them.
        signal(pid, "STOP");
        int flipped = 0;
        for (Path claim : claimDirs(client, namespace, p)) flipped += flipMarker(claim);
        signal(pid, "KILL");
        if (flipped == 0) {
          throw new IllegalStateException("no '" + CORRUPT_MARKER + "' in " + pod + "'s database: write a key with"
              + " that value first (the member was restarted, its data unchanged)");
        }
        return "corrupt " + namespace + "/" + pod + " (" + flipped + " bytes flipped, pid " + pid + " killed)";
      }
      case wipe_data -> {
        // Stop the member first so it cannot write while its data disappears, then kill it: the kubelet
        // restarts it on an empty volume.
        signal(pid, "STOP");
        for (Path claim : claimDirs(client, namespace, p)) {
          FileTrees.empty(claim);
        }
        signal(pid, "KILL");
      }
      default -> throw new IllegalArgumentException(fault.toString());
    }
    return fault.name().replace('_', '-') + " " + namespace + "/" + pod + " (pid " + pid + ")";
  }

  /**
   * A network fault between members of one cluster: {@code partition} drops every peer-port packet between the named
   * pods and the cluster's other members, both ways (the named pods still reach each other: one side of a split);
   * {@code isolate} also drops every packet to their client ports (no client, the operator included, reaches them);
   * {@code heal} removes both. Rules carry the pod's name, in the sandbox's own chain.
   */
  private static String network(Path dir, KubernetesClient client, String namespace, List<String> side, Fault fault)
      throws IOException {
    Pod first = client.pods().inNamespace(namespace).withName(side.get(0)).get();
    if (first == null) throw new IllegalArgumentException("no pod " + namespace + "/" + side.get(0));
    String cluster = first.getMetadata().getLabels().get(io.etcdpilot.operator.model.ClusterNames.LABEL_CLUSTER);
    List<Pod> others = client.pods().inNamespace(namespace)
        .withLabel(io.etcdpilot.operator.model.ClusterNames.LABEL_CLUSTER, cluster).list().getItems().stream()
        .filter(p -> !side.contains(p.getMetadata().getName()) && p.getStatus() != null
            && p.getStatus().getPodIP() != null).toList();
    for (String name : side) {
      int uid = uid(dir, namespace, name);
      String tag = tag(namespace, name, "net");
      if (fault == Fault.heal) {
        io.etcdpilot.sandbox.kubelet.PodNetwork.clear(uid, tag);
        continue;
      }
      Pod pod = client.pods().inNamespace(namespace).withName(name).get();
      String ip = pod.getStatus().getPodIP();
      for (Pod other : others) {
        int otherUid = uid(dir, namespace, other.getMetadata().getName());
        io.etcdpilot.sandbox.kubelet.PodNetwork.drop(uid, other.getStatus().getPodIP(), 2380, tag, true);
        io.etcdpilot.sandbox.kubelet.PodNetwork.drop(otherUid, ip, 2380, tag, true);
      }
      if (fault == Fault.isolate) io.etcdpilot.sandbox.kubelet.PodNetwork.dropTo(uid, ip, 2379, tag);
    }
    return fault.name() + " " + namespace + "/" + String.join(",", side)
        + (fault == Fault.heal ? "" : " from " + others.stream().map(p -> p.getMetadata().getName()).toList());
  }

  /** 200ms, 1s, 500us as microseconds. */
  static long micros(String delay) {
    var m = java.util.regex.Pattern.compile("^(\\d+)(us|ms|s)$").matcher(delay.trim());
    if (!m.matches()) throw new IllegalArgumentException("a delay such as 200ms, was '" + delay + "'");
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "us" -> n;
      case "ms" -> n * 1000;
      default -> n * 1_000_000;
    };
  }

  private static String tag(String namespace, String pod, String kind) {
    return "etcdpilot-" + kind + "-" + namespace + "-" + pod;
  }

  private static int uid(Path dir, String namespace, String pod) throws IOException {
    Path user = io.etcdpilot.sandbox.kubelet.Kubelet.podUserFile(dir, namespace, pod);
    if (!Files.exists(user)) throw new IllegalArgumentException("no pod " + namespace + "/" + pod + " has run here");
    return Integer.parseInt(Files.readString(user).trim());
  }

  private static long pid(Path dir, KubernetesClient client, String namespace, String pod) throws IOException {
    Pod p = client.pods().inNamespace(namespace).withName(pod).get();
    if (p == null) throw new IllegalArgumentException("no pod " + namespace + "/" + pod);
    Path pidFile = dir.resolve("pods").resolve(namespace).resolve(pod)
        .resolve(p.getSpec().getContainers().get(0).getName() + ".pid");
    if (!Files.exists(pidFile)) throw new IllegalStateException("pod " + namespace + "/" + pod + " has never started a process");
    return Long.parseLong(Files.readString(pidFile).trim());
  }

  /** Flips the last byte of every copy of {@link #CORRUPT_MARKER} in the etcd database files under {@code dir}. */
  static int flipMarker(Path dir) throws IOException {
    byte[] marker = CORRUPT_MARKER.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    List<Path> dbs;
    try (var files = Files.walk(dir)) {
      dbs = files.filter(f -> f.getFileName().toString().equals("db") && f.getParent().getFileName().toString()
          .equals("snap")).toList();
    }
    int flipped = 0;
    for (Path db : dbs) {
      byte[] bytes = Files.readAllBytes(db);
      for (int i = 0; i + marker.length <= bytes.length; i++) {
        if (java.util.Arrays.equals(bytes, i, i + marker.length, marker, 0, marker.length)) {
          bytes[i + marker.length - 1] ^= 0x01;
          flipped++;
        }
      }
      if (flipped > 0) Files.write(db, bytes);
    }
    return flipped;
  }

  /** The directories behind a pod's claims: claim, then its bound PersistentVolume's host path. */
  static List<Path> claimDirs(KubernetesClient client, String namespace, Pod p) {
    List<Path> out = new ArrayList<>();
    for (Volume v : p.getSpec().getVolumes()) {
      if (v.getPersistentVolumeClaim() == null) continue;
      var pvc = client.persistentVolumeClaims().inNamespace(namespace).withName(v.getPersistentVolumeClaim().getClaimName()).get();
      if (pvc == null || pvc.getSpec().getVolumeName() == null) continue;
      var pv = client.persistentVolumes().withName(pvc.getSpec().getVolumeName()).get();
      if (pv != null && pv.getSpec().getHostPath() != null) out.add(Path.of(pv.getSpec().getHostPath().getPath()));
    }
    return out;
  }

  static void signal(long pid, String signal) throws IOException, InterruptedException {
    Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
    String out = new String(k.getInputStream().readAllBytes());
    if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + pid + " failed: " + out.trim());
    }
  }
}
