package io.etcdpilot.sandbox.controlplane;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real programs the sandbox runs, built from their Go modules by {@code e2e/kube/build} (pinned by the modules
 * in {@code e2e/kube/}) into the user cache. Builds what is missing, once per machine, showing its progress.
 */
public final class KubeBinaries {
  private final Path kubeDir;

  public KubeBinaries(Path kubeDir) {
    this.kubeDir = kubeDir;
  }

  /** {@code e2e/kube} of this checkout: from -Detcdpilot.kube.dir, $ETCDPILOT_KUBE_DIR, or found above the working directory. */
  public static KubeBinaries locate() {
    String configured = System.getProperty("etcdpilot.kube.dir", System.getenv("ETCDPILOT_KUBE_DIR"));
    if (configured != null && !configured.isBlank()) return new KubeBinaries(Path.of(configured).toAbsolutePath());
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isExecutable(p.resolve("e2e/kube/build"))) return new KubeBinaries(p.resolve("e2e/kube"));
      if (Files.isExecutable(p.resolve("kube/build"))) return new KubeBinaries(p.resolve("kube"));
    }
    throw new IllegalStateException("cannot find e2e/kube/build: run from the repository or set ETCDPILOT_KUBE_DIR");
  }

  /** The checkout this {@code e2e/kube} belongs to. */
  public Path repository() {
    return kubeDir.getParent().getParent();
  }

  /** Directory with kube-apiserver, kube-controller-manager, kube-scheduler and kubectl. */
  public Path kubernetes() {
    return ensure(List.of("kubernetes"), List.of("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"));
  }

  /** Directory with etcd, etcdctl and etcdutl of that version. */
  public Path etcd(String version) {
    return ensure(List.of("etcd", version), List.of("etcd", "etcdctl", "etcdutl"));
  }

  /** The history checker's program ({@code e2e/histcheck}), built for its current sources. */
  public Path histcheck() {
    return ensure(List.of("histcheck"), List.of("histcheck")).resolve("histcheck");
  }

  /** etcd versions this checkout pins modules for, oldest first. */
  public List<String> etcdVersions() {
    try (Stream<Path> dirs = Files.list(kubeDir.resolve("etcd"))) {
      return dirs.filter(d -> Files.exists(d.resolve("go.mod"))).map(d -> d.getFileName().toString().substring(1))
          .sorted(Comparator.comparing(io.etcdpilot.operator.model.EtcdVersion::parse)).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The control plane's own store: the newest pinned etcd 3.6 (what current Kubernetes releases are tested with). */
  public String controlPlaneEtcdVersion() {
    List<String> v = etcdVersions().stream().filter(s -> s.startsWith("3.6.")).toList();
    if (v.isEmpty()) throw new IllegalStateException("no etcd 3.6 module pinned under " + kubeDir.resolve("etcd"));
    return v.get(v.size() - 1);
  }

  private Path ensure(List<String> what, List<String> programs) {
    Path dir = Path.of(run(Stream.concat(Stream.of("dir"), what.stream()).toList(), false));
    if (programs.stream().allMatch(p -> Files.isExecutable(dir.resolve(p)))) return dir;
    run(what, true);
    return dir;
  }

  private String run(List<String> args, boolean showProgress) {
    List<String> cmd = Stream.concat(Stream.of(kubeDir.resolve("build").toString()), args.stream()).toList();
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.redirectError(showProgress ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.PIPE);
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      String err = showProgress ? "" : new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed" + (err.isEmpty() ? "" : ": " + err));
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + cmd.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The Kubernetes release pinned in e2e/kube/kubernetes/go.mod. */
  public Optional<String> kubernetesVersion() {
    try {
      return Files.readAllLines(kubeDir.resolve("kubernetes/go.mod")).stream()
          .filter(l -> l.startsWith("require k8s.io/kubernetes ")).map(l -> l.split(" ")[2]).findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
