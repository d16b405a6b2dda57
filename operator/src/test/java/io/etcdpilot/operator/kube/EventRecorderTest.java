package io.etcdpilot.operator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventRecorderTest {
  KubernetesMockServer server;
  KubernetesClient client;
  Instant now = Instant.parse("2026-12-01T00:00:00Z");
  final HasMetadata about = new ConfigMapBuilder().withNewMetadata().withName("demo").withNamespace("ev").withUid("u1")
      .endMetadata().build();

  @BeforeEach
  void start() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init();
    client = server.createClient();
  }

  @AfterEach
  void stop() {
    server.destroy();
  }

  EventRecorder recorder() {
    return new EventRecorder(client, new Clock() {
      @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
      @Override public Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public Instant instant() { return now; }
    });
  }

  List<String> written() {
    return client.v1().events().inNamespace("ev").list().getItems().stream()
        .map(e -> e.getType() + " " + e.getReason() + " " + e.getMessage()).sorted().toList();
  }

  @Test
  void aWarningRepeatedWordForWordIsWrittenOncePerTenMinutesNormalEventsEveryTime() {
    EventRecorder events = recorder();
    for (int i = 0; i < 40; i++) { // a retry every 15 s for 10 minutes
      events.warning(about, "SnapshotObjectsNotDeleted", "cannot delete s3://b/k yet (retrying): refused");
      now = now.plusSeconds(15);
    }
    events.warning(about, "SnapshotObjectsNotDeleted", "cannot delete s3://b/k yet (retrying): timed out");
    events.normal(about, "RestartingMember", "restarting demo-0");
    events.normal(about, "RestartingMember", "restarting demo-0");
    assertThat(written()).containsExactly(
        "Normal RestartingMember restarting demo-0",
        "Normal RestartingMember restarting demo-0",
        "Warning SnapshotObjectsNotDeleted cannot delete s3://b/k yet (retrying): refused",
        "Warning SnapshotObjectsNotDeleted cannot delete s3://b/k yet (retrying): timed out");
    now = now.plus(Duration.ofSeconds(1));
    events.warning(about, "SnapshotObjectsNotDeleted", "cannot delete s3://b/k yet (retrying): refused");
    assertThat(written()).filteredOn(s -> s.endsWith("refused")).as("said again after ten minutes").hasSize(2);
    assertThat(client.v1().events().inNamespace("ev").list().getItems()).extracting(Event::getLastTimestamp)
        .contains("2026-12-01T00:10:01Z");
  }
}
