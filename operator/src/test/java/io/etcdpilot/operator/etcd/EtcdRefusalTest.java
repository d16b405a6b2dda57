package io.etcdpilot.operator.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

class EtcdRefusalTest {
  @Test
  void etcdsNotNowAnswersAreWaits() {
    assertThat(EtcdRefusal.isNotNow(Status.UNAVAILABLE.withDescription("etcdserver: unhealthy cluster").asRuntimeException()))
        .isTrue();
    assertThat(EtcdRefusal.isNotNow(Status.UNKNOWN.withDescription(
        "etcdserver: re-configuration failed due to not enough started members").asRuntimeException())).isTrue();
    assertThat(EtcdRefusal.isNotNow(Status.DEADLINE_EXCEEDED.asRuntimeException())).isTrue();
    // wrapped, as a blocking call inside another layer would throw it
    assertThat(EtcdRefusal.isNotNow(new RuntimeException(Status.FAILED_PRECONDITION
        .withDescription("etcdserver: can only promote a learner member which is in sync with leader").asRuntimeException())))
        .isTrue();
  }

  @Test
  void everythingElseFailsThePass() {
    assertThat(EtcdRefusal.isNotNow(new KubernetesClientException("forbidden", 403, null))).isFalse();
    assertThat(EtcdRefusal.isNotNow(new NullPointerException())).isFalse();
    assertThat(EtcdRefusal.isNotNow(Status.PERMISSION_DENIED.withDescription("etcdserver: permission denied")
        .asRuntimeException())).isFalse();
    assertThat(EtcdRefusal.isNotNow(Status.INVALID_ARGUMENT.withDescription("etcdserver: peerURL exists")
        .asRuntimeException())).isFalse();
  }
}
