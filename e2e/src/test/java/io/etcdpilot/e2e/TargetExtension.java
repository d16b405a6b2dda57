package io.etcdpilot.e2e;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects the shared {@link TargetCluster} into scenario classes and methods, and deletes a passing scenario's
 * namespaces after it: clusters left running would load the machine for every later scenario.
 */
public final class TargetExtension implements ParameterResolver, AfterEachCallback {
  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
    return p.getParameter().getType() == TargetCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext c) {
    return Targets.current(c);
  }

  @Override
  public void afterEach(ExtensionContext c) {
    java.util.List<String> created = java.util.List.copyOf(Scenario.CREATED);
    Scenario.CREATED.clear();
    if (c.getExecutionException().isPresent()) return;
    TargetCluster target = Targets.current(c);
    // Not awaited: the members stop in the background, as a namespace's deletion does in any cluster.
    created.forEach(ns -> target.client().namespaces().withName(ns).delete());
  }
}
