package io.etcdpilot.sandbox.kubelet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Gives every sandbox pod its own address, also for the connections it makes: all pods share the host's
 * loopback, so without help every outgoing connection would come from 127.0.0.1, and etcd (which checks a
 * connecting peer's certificate against its source address) would rightly refuse its peers. Each pod runs
 * as its own uid; a source-NAT rule in a chain this sandbox owns maps that uid's loopback traffic to the
 * pod's address. One address range, uid range and chain per sandbox instance.
 */
public final class PodNetwork implements AutoCloseable {
  private final String ipPrefix;
  private final int uidBase;
  private final String chain;

  /**
   * @param instance 1..200, separates concurrent sandboxes (the CLI and the tests use different ones)
   */
  public PodNetwork(int instance) {
    this.ipPrefix = "127." + (100 + instance);
    this.uidBase = 60000 + instance * 1000;
    this.chain = "ETCDPILOT-SANDBOX-" + instance;
  }

  public String ip(int index) {
    return ipPrefix + "." + (index / 250) + "." + (index % 250 + 2);
  }

  public int uid(int index) {
    return uidBase + index;
  }

  public void start() {
    run(List.of("iptables", "-w", "-t", "nat", "-N", chain), true);
    run(List.of("iptables", "-w", "-t", "nat", "-F", chain), false);
    if (!run(List.of("iptables", "-w", "-t", "nat", "-C", "POSTROUTING", "-o", "lo", "-j", chain), true)) {
      run(List.of("iptables", "-w", "-t", "nat", "-A", "POSTROUTING", "-o", "lo", "-j", chain), false);
    }
    // Faults that cut a pod off (filter table, same name): emptied at start, so none outlives its sandbox.
    run(List.of("iptables", "-w", "-N", chain), true);
    run(List.of("iptables", "-w", "-F", chain), false);
    if (!run(List.of("iptables", "-w", "-C", "OUTPUT", "-o", "lo", "-j", chain), true)) {
      run(List.of("iptables", "-w", "-A", "OUTPUT", "-o", "lo", "-j", chain), false);
    }
  }

  /**
   * Refuses (TCP reset) every packet {@code uid} sends to {@code port} on 127.0.0.1, or with {@code cut} false lets
   * them through again: the pod whose user that is loses, or gets back, its connections to what listens there.
   */
  public static void cut(int uid, int port, boolean cut) {
    String chain = chainOf(uid);
    List<String> rule = List.of("-m", "owner", "--uid-owner", Integer.toString(uid), "-p", "tcp", "-d", "127.0.0.1",
        "--dport", Integer.toString(port), "-j", "REJECT", "--reject-with", "tcp-reset");
    boolean present = run(concat(List.of("iptables", "-w", "-C", chain), rule), true);
    if (cut && !present) run(concat(List.of("iptables", "-w", "-A", chain), rule), false);
    if (!cut && present) run(concat(List.of("iptables", "-w", "-D", chain), rule), false);
  }

  /**
   * Drops (or, with {@code on} false, lets through again) every packet {@code fromUid} sends to {@code toIp} on
   * {@code port}, tagged {@code tag} so {@link #clear} finds it: packets dropped, not refused, as on a cut link, so
   * connections hang until their own timeouts.
   */
  public static void drop(int fromUid, String toIp, int port, String tag, boolean on) {
    String chain = chainOf(fromUid);
    List<String> rule = List.of("-m", "owner", "--uid-owner", Integer.toString(fromUid), "-p", "tcp", "-d", toIp,
        "--dport", Integer.toString(port), "-m", "comment", "--comment", tag, "-j", "DROP");
    boolean present = run(concat(List.of("iptables", "-w", "-C", chain), rule), true);
    if (on && !present) run(concat(List.of("iptables", "-w", "-A", chain), rule), false);
    if (!on && present) run(concat(List.of("iptables", "-w", "-D", chain), rule), false);
  }

  /** Drops every packet sent to {@code toIp} on {@code port} by anyone (its clients cannot reach it). */
  public static void dropTo(int instanceUid, String toIp, int port, String tag) {
    String chain = chainOf(instanceUid);
    List<String> rule = List.of("-p", "tcp", "-d", toIp, "--dport", Integer.toString(port), "-m", "comment",
        "--comment", tag, "-j", "DROP");
    if (!run(concat(List.of("iptables", "-w", "-C", chain), rule), true)) {
      run(concat(List.of("iptables", "-w", "-A", chain), rule), false);
    }
  }

  /** Removes every rule of the sandbox's chain tagged {@code tag}; returns how many. */
  public static int clear(int instanceUid, String tag) {
    String chain = chainOf(instanceUid);
    int removed = 0;
    for (String line : list(chain)) {
      if (!line.startsWith("-A " + chain + " ") || !line.contains("--comment " + tag + " ")
          && !line.contains("--comment \"" + tag + "\"")) {
        continue;
      }
      List<String> spec = new java.util.ArrayList<>(List.of("iptables", "-w", "-D", chain));
      spec.addAll(List.of(line.substring(("-A " + chain + " ").length()).split(" ")));
      run(spec, false);
      removed++;
    }
    return removed;
  }

  private static List<String> list(String chain) {
    try {
      Process p = new ProcessBuilder("iptables", "-w", "-S", chain).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(30, TimeUnit.SECONDS);
      return out.lines().toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The chain of the sandbox instance a pod uid belongs to (see {@link #uid}). */
  private static String chainOf(int uid) {
    return "ETCDPILOT-SANDBOX-" + (uid - 60000) / 1000;
  }

  /** Connections made by {@code uid} over loopback leave from {@code ip}. */
  public void attach(int uid, String ip) {
    List<String> rule = List.of("-o", "lo", "-m", "owner", "--uid-owner", Integer.toString(uid), "-j", "SNAT",
        "--to-source", ip);
    if (!run(concat(List.of("iptables", "-w", "-t", "nat", "-C", chain), rule), true)) {
      run(concat(List.of("iptables", "-w", "-t", "nat", "-A", chain), rule), false);
    }
  }

  @Override
  public void close() {
    run(List.of("iptables", "-w", "-t", "nat", "-D", "POSTROUTING", "-o", "lo", "-j", chain), true);
    run(List.of("iptables", "-w", "-t", "nat", "-F", chain), true);
    run(List.of("iptables", "-w", "-t", "nat", "-X", chain), true);
    run(List.of("iptables", "-w", "-D", "OUTPUT", "-o", "lo", "-j", chain), true);
    run(List.of("iptables", "-w", "-F", chain), true);
    run(List.of("iptables", "-w", "-X", chain), true);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new java.util.ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private static boolean run(List<String> cmd, boolean mayFail) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + " timed out");
      }
      if (p.exitValue() != 0 && !mayFail) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out.trim());
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      if (mayFail) return false;
      throw new IllegalStateException("the sandbox needs iptables (apt-get install -y iptables) to give pods their own source addresses", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
