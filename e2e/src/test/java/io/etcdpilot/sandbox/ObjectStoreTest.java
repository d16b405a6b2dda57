package io.etcdpilot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcdpilot.sandbox.apiserver.ApiException;
import io.etcdpilot.sandbox.apiserver.ObjectStore;
import io.etcdpilot.sandbox.apiserver.ResourceRegistry;
import io.etcdpilot.sandbox.apiserver.ResourceType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sandbox API server's storage semantics that the operator and the controllers rely on. */
class ObjectStoreTest {
  final ObjectStore store = new ObjectStore(new ResourceRegistry());
  final ResourceType cms = store.registry().find("", "v1", "configmaps").orElseThrow();
  final ResourceType pods = store.registry().find("", "v1", "pods").orElseThrow();
  final ResourceType sts = store.registry().find("apps", "v1", "statefulsets").orElseThrow();

  ObjectNode obj(String name) {
    ObjectNode o = ObjectStore.JSON.createObjectNode();
    o.putObject("metadata").put("name", name);
    return o;
  }

  ObjectNode owned(String name, ObjectNode owner) {
    ObjectNode o = obj(name);
    o.with("metadata").putArray("ownerReferences").addObject().put("uid", owner.path("metadata").path("uid").asText())
        .put("kind", owner.path("kind").asText()).put("name", owner.path("metadata").path("name").asText());
    return o;
  }

  @Test
  void generationMovesWithSpecNotWithStatusOrMetadata() {
    ObjectNode s = obj("a");
    s.putObject("spec").put("replicas", 1);
    store.create(sts, "ns", s);
    ObjectNode statusOnly = store.update(sts, "ns", "a", c -> { c.putObject("status").put("replicas", 1); return c; },
        ObjectStore.Subresource.STATUS);
    assertThat(statusOnly.path("metadata").path("generation").asLong()).isEqualTo(1);
    ObjectNode labels = store.update(sts, "ns", "a", c -> { c.with("metadata").putObject("labels").put("x", "y"); return c; },
        ObjectStore.Subresource.NONE);
    assertThat(labels.path("metadata").path("generation").asLong()).isEqualTo(1);
    ObjectNode spec = store.update(sts, "ns", "a", c -> { c.with("spec").put("replicas", 3); c.remove("status"); return c; },
        ObjectStore.Subresource.NONE);
    assertThat(spec.path("metadata").path("generation").asLong()).isEqualTo(2);
    assertThat(spec.path("status").path("replicas").asInt()).as("status is kept through the main resource").isEqualTo(1);
  }

  @Test
  void staleResourceVersionConflicts() {
    ObjectNode created = store.create(cms, "ns", obj("c"));
    store.update(cms, "ns", "c", c -> { c.putObject("data").put("k", "1"); return c; }, ObjectStore.Subresource.NONE);
    assertThatThrownBy(() -> store.update(cms, "ns", "c", c -> created.deepCopy(), ObjectStore.Subresource.NONE))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(409));
  }

  @Test
  void deletingAnOwnerCollectsDependentsAndPodsTerminateGracefully() {
    ObjectNode owner = store.create(sts, "ns", obj("owner"));
    store.create(cms, "ns", owned("child", owner));
    store.create(pods, "ns", owned("pod", owner));
    store.delete(sts, "ns", "owner", null, null);
    assertThat(store.get(cms, "ns", "child")).isNull();
    ObjectNode pod = store.get(pods, "ns", "pod");
    assertThat(pod.path("metadata").has("deletionTimestamp")).as("pods wait for the kubelet").isTrue();
    store.finishDeletion(pods, "ns", "pod");
    assertThat(store.get(pods, "ns", "pod")).isNull();
  }

  @Test
  void objectsCreatedForADeletedOwnerAreCollected() {
    ObjectNode owner = store.create(sts, "ns", obj("gone"));
    store.delete(sts, "ns", "gone", null, null);
    store.create(cms, "ns", owned("late", owner));
    assertThat(store.get(cms, "ns", "late")).isNull();
  }

  @Test
  void watchersResumeFromAResourceVersion() {
    ObjectNode first = store.create(cms, "ns", obj("one"));
    store.create(cms, "ns", obj("two"));
    List<ObjectStore.WatchEvent> live = new ArrayList<>();
    List<ObjectStore.WatchEvent> missed = store.subscribe(
        Long.parseLong(first.path("metadata").path("resourceVersion").asText()), live::add);
    assertThat(missed).extracting(e -> e.object().path("metadata").path("name").asText()).containsExactly("two");
    store.delete(cms, "ns", "one", null, null);
    assertThat(live).extracting(ObjectStore.WatchEvent::type).containsExactly("DELETED");
  }
}
