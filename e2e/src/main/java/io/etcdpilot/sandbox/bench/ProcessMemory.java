package io.etcdpilot.sandbox.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A JVM's resident set (from /proc) and its live heap (used after a full GC, from jcmd). */
record ProcessMemory(long rssMiB, long liveHeapMiB) {
  static ProcessMemory of(long pid) throws IOException, InterruptedException {
    long rssKb = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
        .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1L);
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    run(jcmd.toString(), Long.toString(pid), "GC.run");
    Matcher m = Pattern.compile("used (\\d+)K").matcher(run(jcmd.toString(), Long.toString(pid), "GC.heap_info"));
    return new ProcessMemory(rssKb / 1024, m.find() ? Long.parseLong(m.group(1)) / 1024 : -1);
  }

  private static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    return out;
  }

  @Override
  public String toString() {
    return rssMiB + " MiB / " + liveHeapMiB + " MiB";
  }
}
