package io.etcdpilot.e2e;

import org.junit.jupiter.api.extension.ExtensionContext;

/** One target per test JVM (sandbox by default, kind with -Detcdpilot.e2e.target=kind), closed after all scenarios. */
final class Targets {
  private Targets() {}

  static TargetCluster current(ExtensionContext context) {
    return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent("target", k -> new Holder(create()), Holder.class).target();
  }

  private static TargetCluster create() {
    try {
      return "kind".equals(System.getProperty("etcdpilot.e2e.target")) ? new KindTarget() : new SandboxTarget();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the e2e target", e);
    }
  }

  record Holder(TargetCluster target) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() throws Throwable {
      target.close();
    }
  }
}
