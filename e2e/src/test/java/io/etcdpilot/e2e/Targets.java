package io.etcdpilot.e2e;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * One target per test JVM (sandbox by default, kind with -Detcdpilot.e2e.target=kind), shared by every scenario class
 * the JVM runs and closed when its launcher session ends. Not in JUnit's root store: with two forks surefire hands
 * each fork one class at a time, each with a root context of its own, which would start a sandbox per class (and
 * empty its logs, which the whole-suite checks read).
 */
final class Targets {
  private static TargetCluster target;

  private Targets() {}

  static synchronized TargetCluster current(ExtensionContext context) {
    if (target == null) target = create();
    return target;
  }

  private static TargetCluster create() {
    try {
      return "kind".equals(System.getProperty("etcdpilot.e2e.target")) ? new KindTarget() : new SandboxTarget();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the e2e target", e);
    }
  }

  static synchronized void close() throws Exception {
    if (target == null) return;
    try {
      target.close();
    } finally {
      target = null;
    }
  }

  /** Registered in META-INF/services: surefire ends the session after the fork's last class. */
  public static final class Session implements LauncherSessionListener {
    @Override
    public void launcherSessionClosed(LauncherSession session) {
      try {
        close();
      } catch (Exception e) {
        throw new IllegalStateException("closing the e2e target", e);
      }
    }
  }
}
