package io.etcdpilot.sandbox;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * `helm template` and `helm install` of a chart, with helm-java in a JVM of its own: helm's Go code, once loaded into
 * a process, takes over SIGTERM, and the sandbox must still stop cleanly on it.
 */
public final class ChartRelease {
  private ChartRelease() {}

  /** Renders {@code chart} as release {@code release} in {@code namespace}; returns the manifests. */
  public static String template(Path chart, String release, String namespace) throws IOException, InterruptedException {
    return helm(List.of("template", chart.toString(), release, namespace));
  }

  /**
   * Installs {@code chart} as release {@code release} into the existing {@code namespace}, as `helm install --set`
   * does (the release is recorded in the cluster; `helm list` sees it); returns helm's report of it.
   */
  public static String install(Path chart, String release, String namespace, Path kubeconfig, Map<String, String> set)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("install", chart.toString(), release, namespace, kubeconfig.toString()));
    set.forEach((k, v) -> args.add(k + "=" + v));
    return helm(args);
  }

  private static String helm(List<String> args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", System.getProperty("java.class.path"), ChartRelease.class.getName()));
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException("helm " + args.get(0) + " of " + args.get(1) + " failed");
    }
    return out;
  }

  public static void main(String[] args) {
    Helm helm = new Helm(Path.of(args[1]));
    if (args[0].equals("template")) {
      System.out.print(helm.template().withName(args[2]).withNamespace(args[3]).call());
    } else {
      InstallCommand install = helm.install().withName(args[2]).withNamespace(args[3]).withKubeConfig(Path.of(args[4]));
      for (int i = 5; i < args.length; i++) {
        int eq = args[i].indexOf('=');
        install.set(args[i].substring(0, eq), args[i].substring(eq + 1));
      }
      var release = install.call();
      System.out.println("release " + release.getName() + " revision " + release.getRevision() + ": " + release.getStatus());
    }
    System.exit(0);
  }
}
