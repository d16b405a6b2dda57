package io.etcdpilot.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.OperatorException;
import org.junit.jupiter.api.Test;

class NamespaceTerminatingTest {
  static Status refusal(int code, String reason) {
    return new StatusBuilder().withCode(code).withMessage("secrets \"etcd-ca\" is forbidden")
        .withNewDetails().addNewCause().withField("metadata.namespace").withReason(reason).endCause().endDetails().build();
  }

  @Test
  void recognisedThroughWrappingExceptions() {
    var refused = new KubernetesClientException(refusal(403, "NamespaceTerminating"));
    assertThat(NamespaceTerminating.causeOf(new OperatorException(new RuntimeException(refused)))).isTrue();
  }

  @Test
  void otherRefusalsAreNotMistakenForIt() {
    assertThat(NamespaceTerminating.causeOf(new KubernetesClientException(refusal(403, "FieldValueForbidden")))).isFalse();
    assertThat(NamespaceTerminating.causeOf(new KubernetesClientException(refusal(409, "NamespaceTerminating")))).isFalse();
    assertThat(NamespaceTerminating.causeOf(new KubernetesClientException("no status"))).isFalse();
    assertThat(NamespaceTerminating.causeOf(new IllegalStateException("x"))).isFalse();
  }
}
