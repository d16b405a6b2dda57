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
  public enum Fault { crash, freeze, thaw, wipe_data, corrupt, pull_fails, pull_ok, cut_api, mend_api }

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
