package io.etcdpilot.sandbox;

import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * `helm template` of a chart, with helm-java in a JVM of its own: helm's Go code, once loaded into a process,
 * takes over SIGTERM, and the sandbox must still stop cleanly on it.
 */
public final class ChartTemplate {
  private ChartTemplate() {}

  /** Renders {@code chart} as release {@code release} in {@code namespace}; returns the manifests. */
  public static String render(Path chart, String release, String namespace) throws IOException, InterruptedException {
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), ChartTemplate.class.getName(), chart.toString(), release, namespace);
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException("helm template of " + chart + " failed");
    }
    return out;
  }

  public static void main(String[] args) {
    System.out.print(new Helm(Path.of(args[0])).template().withName(args[1]).withNamespace(args[2]).call());
    System.exit(0);
  }
}
