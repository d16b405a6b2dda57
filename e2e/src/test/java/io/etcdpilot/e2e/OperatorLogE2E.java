package io.etcdpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs after every other scenario (see junit-platform.properties): across the whole suite the operator, running
 * with exactly the chart's RBAC, was never refused a request. A verb missing from the chart shows up here.
 */
@Order(Integer.MAX_VALUE)
@ExtendWith(TargetExtension.class)
class OperatorLogE2E {

  @Test
  void operatorWasNeverForbiddenAnything(TargetCluster target) {
    String log = target.operatorLog();
    assertThat(log).as("operator log").isNotBlank();
    // An object store's 403 (SnapshotE2E gives one wrong credentials on purpose) is not the API server's.
    assertThat(log.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).contains("forbidden"))
        .filter(l -> !l.contains("(Service: S3,")).toList())
        .as("lines of the operator log that mention Forbidden").isEmpty();
  }
}
