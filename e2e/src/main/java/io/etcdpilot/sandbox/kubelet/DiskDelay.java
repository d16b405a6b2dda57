package io.etcdpilot.sandbox.kubelet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A slow disk for one pod's containers: strace, attached to every thread of the container's process, delays each
 * fsync and fdatasync by a set time (the kernel's netem has no disk counterpart, and a FUSE layer would slow every
 * read too). A marker in the pod's directory keeps it across restarts of the container: the kubelet attaches again.
 */
public final class DiskDelay {
  private DiskDelay() {}

  static Path marker(Path podDir) {
    return podDir.resolve("slow-disk");
  }

  private static Path tracer(Path podDir) {
    return podDir.resolve("slow-disk.strace.pid");
  }

  /** Every fsync of {@code pid} (and of the pod's next processes) takes {@code micros} longer. */
  public static void slow(Path podDir, long pid, long micros) throws IOException, InterruptedException {
    fast(podDir);
    Files.writeString(marker(podDir), Long.toString(micros));
    attach(podDir, pid);
  }

  /** Disks as fast as they are. */
  public static void fast(Path podDir) throws IOException, InterruptedException {
    Files.deleteIfExists(marker(podDir));
    if (!Files.exists(tracer(podDir))) return;
    long strace = Long.parseLong(Files.readString(tracer(podDir)).trim());
    ProcessHandle.of(strace).ifPresent(h -> {
      h.destroy(); // strace detaches on SIGTERM, leaving the process running
      h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    });
    Files.deleteIfExists(tracer(podDir));
  }

  /** When the pod's disk is to be slow: strace on every thread of {@code pid}. */
  static void attach(Path podDir, long pid) throws IOException {
    if (!Files.exists(marker(podDir))) return;
    long micros = Long.parseLong(Files.readString(marker(podDir)).trim());
    List<String> cmd = new ArrayList<>(List.of("strace", "-qq", "-f", "-o", "/dev/null", "-e", "trace=fdatasync,fsync",
        "-e", "inject=fdatasync,fsync:delay_enter=" + micros));
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      tasks.forEach(t -> cmd.addAll(List.of("-p", t.getFileName().toString())));
    }
    Process strace = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    Files.writeString(tracer(podDir), Long.toString(strace.pid()));
  }
}
