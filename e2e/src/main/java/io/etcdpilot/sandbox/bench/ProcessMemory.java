package io.etcdpilot.sandbox.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM's resident set (from /proc), its live heap (used after a full GC) and its classes' metaspace, from jcmd. jcmd
 * runs in the JVM's mount namespace: a pod's JVM keeps its attach socket in the pod's own /tmp.
 */
record ProcessMemory(long rssMiB, long liveHeapMiB, long metaspaceMiB) {
  private static final Pattern HEAP_USED = Pattern.compile("(?:generation|heap)\\s+total \\d+K, used (\\d+)K");
  private static final Pattern METASPACE_USED = Pattern.compile("Metaspace\\s+used (\\d+)K");

  static ProcessMemory of(long pid) throws IOException, InterruptedException {
    long rssKb = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
        .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1L);
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    String target = Long.toString(pid);
    run("nsenter", "-t", target, "-m", jcmd, target, "GC.run");
    String info = run("nsenter", "-t", target, "-m", jcmd, target, "GC.heap_info");
    return new ProcessMemory(rssKb / 1024, sumKb(HEAP_USED, info) / 1024, sumKb(METASPACE_USED, info) / 1024);
  }

  /** The sum of a pattern's first group over the text (the heap's generations), or -1 when jcmd said none. */
  private static long sumKb(Pattern p, String text) {
    Matcher m = p.matcher(text);
    long sum = -1;
    while (m.find()) sum = Math.max(sum, 0) + Long.parseLong(m.group(1));
    return sum;
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
