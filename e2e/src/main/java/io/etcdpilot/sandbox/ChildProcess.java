package io.etcdpilot.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A program the sandbox runs (control-plane component, operator): output to a log file, SIGTERM then SIGKILL to stop. */
public final class ChildProcess implements AutoCloseable {
  private final String name;
  private final Path logFile;
  private final Process process;

  private ChildProcess(String name, Path logFile, Process process) {
    this.name = name;
    this.logFile = logFile;
    this.process = process;
  }

  public static ChildProcess start(String name, List<String> command, Map<String, String> env, Path logFile)
      throws IOException {
    Files.createDirectories(logFile.getParent());
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    pb.environment().putAll(env);
    Process p = pb.start();
    // Beside its log, so that `sandbox down` can stop it even if the sandbox's own JVM died.
    Files.writeString(pidFile(logFile), Long.toString(p.pid()));
    return new ChildProcess(name, logFile, p);
  }

  private static Path pidFile(Path logFile) {
    return logFile.resolveSibling(logFile.getFileName().toString().replaceFirst("\\.log$", "") + ".pid");
  }

  public Path logFile() {
    return logFile;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** Fails with the end of its log when the program has exited. */
  public void checkAlive() {
    if (process.isAlive()) return;
    String tail;
    try {
      List<String> lines = Files.readAllLines(logFile);
      tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      tail = "(no log: " + e.getMessage() + ")";
    }
    throw new IllegalStateException(name + " exited with " + process.exitValue() + "; end of " + logFile + ":\n" + tail);
  }

  /** SIGTERM, up to {@code graceSeconds}, then SIGKILL. */
  public void stop(long graceSeconds) throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
    try {
      Files.deleteIfExists(pidFile(logFile));
    } catch (IOException e) {
      // a stale pid file only makes `down` try a dead pid
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop(15);
  }
}
