package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.ObservedMember;
import io.etcdpilot.operator.kube.ApiRefusal;
import io.etcdpilot.operator.kube.PassEvents;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.model.LearnerClock;
import io.etcdpilot.operator.model.MemberTrust;
import io.etcdpilot.operator.model.SpecViolation;
import io.etcdpilot.operator.status.Conditions;
import io.etcdpilot.operator.validation.ImmutableFields;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apply: writes the static objects (Services, cluster-state ConfigMap, StatefulSet template, PodDisruptionBudget)
 * before any step is planned, so the budget is sized before a scale-in removes anyone. A write the API server refuses
 * (invalid, forbidden by a webhook, a policy or a quota) is reported and the rest of the pass goes on with the live
 * object: one refused label must not stop a failed member from being replaced. A paused cluster is left untouched.
 */
final class ApplyStage {
  private static final Logger log = LoggerFactory.getLogger(ApplyStage.class);

  private final KubernetesClient client;
  private final ObjectApplier applier;
  private final VolumeGrowth volumes;

  ApplyStage(KubernetesClient client, ObjectApplier applier) {
    this.client = client;
    this.applier = applier;
    this.volumes = new VolumeGrowth(client);
  }

  Applied apply(Versioned versioned, Observation seen, KubeCache cache, PassEvents events) {
    Rendering.Desired desired = versioned.desired();
    if (desired.paused()) return new Applied.Untouched(versioned);
    ClusterState state = desired.state();
    List<SpecViolation> refused = new ArrayList<>(versioned.refused());
    if (desired.volumes().refused() != null) refused.add(desired.volumes().refused());
    StatefulSet desiredSts = desiredStatefulSet(versioned, refused, events);
    ClusterObjects objects = versioned.objects();
    List<SpecViolation> writesRefused = new ArrayList<>();
    apply("Service", objects.peerService(), state.peerService(), cache, events, writesRefused);
    apply("Service", objects.clientService(), state.clientService(), cache, events, writesRefused);
    String initialCluster = state.stateData().getOrDefault(ClusterObjects.INITIAL_CLUSTER_KEY,
        state.names().initialCluster(objects.replicas(), objects.tls()));
    // The join list and the learner's clock are membership's: kept as they are here, kept true to etcd in act.
    ConfigMap stateConfigMap = apply("ConfigMap", objects.stateConfigMap(
        seen.bootstrapped() ? ClusterObjects.STATE_EXISTING : ClusterObjects.STATE_NEW, initialCluster,
        state.stateData().get(LearnerClock.KEY)), state.stateConfigMap(), cache, events, writesRefused);
    volumes.growClaims(desired.volumes(), state.claims(), events, refused);
    StatefulSet live = volumes.recreateIfGrown(desired.volumes(), state.statefulSet(), events);
    int before = writesRefused.size();
    StatefulSet sts = apply("StatefulSet", desiredSts, live, cache, events, writesRefused);
    // Steps that resize start from what the API server holds when it refused what this pass wants.
    StatefulSet resizeFrom = writesRefused.size() > before && sts != null ? sts : desiredSts;
    if (versioned.versionChanges()) {
      events.normal("UpgradeStarted", "etcd " + versioned.renderedBefore() + " → " + versioned.version().render()
          + ": restarting members one at a time, leader last");
    }
    applyDisruptionBudget(objects, state, cache, seen.etcd(), seen.bootstrapped(), events, writesRefused);
    refused.addAll(writesRefused);
    return new Applied.Written(versioned, sts, resizeFrom, stateConfigMap, List.copyOf(refused), !writesRefused.isEmpty());
  }

  /**
   * The StatefulSet as this pass wants it. After bootstrap its size follows etcd's membership, never the spec directly
   * (growing it without adding a learner first would start a member etcd does not know), and a change the API server
   * refuses on every pass (422) is reported and the live value kept.
   */
  private static StatefulSet desiredStatefulSet(Versioned versioned, List<SpecViolation> refused, PassEvents events) {
    Rendering.Desired desired = versioned.desired();
    StatefulSet existing = desired.state().statefulSet();
    StatefulSet sts = versioned.objects().statefulSet(desired.tls()
        .map(t -> new MemberTrust(t.trustBundleHash(), t.peerAllowedHostname(), t.clientAllowedHostname()))
        .orElse(MemberTrust.NONE));
    if (existing == null) return sts;
    boolean recreating = Integer.valueOf(0).equals(existing.getSpec().getReplicas()) && desired.state().pods().isEmpty()
        && ClusterObjects.STATE_NEW.equals(desired.state().stateData().get(ClusterObjects.STATE_KEY));
    // Its size follows etcd's membership once formed; members re-created (a quorum recovery, which took it to zero)
    // are founding members again, as many as the spec asks for.
    sts.getSpec().setReplicas(recreating ? versioned.objects().replicas() : existing.getSpec().getReplicas());
    List<SpecViolation> refusedHere = ImmutableFields.refusedChanges(existing, sts);
    refused.addAll(refusedHere);
    // Only then: the live claim templates carry server defaults, which would change the hash of an unchanged spec.
    if (!refusedHere.isEmpty()) ImmutableFields.keepLive(existing, sts);
    EtcdCluster cluster = desired.cluster();
    boolean reported = cluster.getStatus() != null && Conditions.find(cluster.getStatus().getConditions(), Conditions.STALLED)
        .filter(c -> "ChangeRefused".equals(c.getReason())
            && Objects.equals(c.getObservedGeneration(), cluster.getMetadata().getGeneration())).isPresent();
    if (!refused.isEmpty() && !reported) {
      boolean versionOnly = refused.stream().allMatch(r -> "spec.version".equals(r.field()));
      events.warning(versionOnly ? "UpgradeRefused" : "ChangeRefused", refused.toString());
    }
    return sts;
  }

  /**
   * The PodDisruptionBudget over the voters etcd reports now (before this pass's membership step, so a scale-in never
   * removes a member under a budget sized for fewer), and the voter label on their pods. Unreachable after bootstrap:
   * left as it is. Label writes are bookkeeping: one that fails only leaves the budget more cautious, so it is logged.
   */
  private void applyDisruptionBudget(ClusterObjects objects, ClusterState state, KubeCache cache,
      ClusterObservation observation, boolean bootstrapped, PassEvents events, List<SpecViolation> writesRefused) {
    if (!observation.reachable()) {
      if (!bootstrapped) {
        apply("PodDisruptionBudget", objects.podDisruptionBudget(), state.disruptionBudget(), cache, events, writesRefused);
      }
      return;
    }
    Set<String> voters = observation.members().stream().filter(m -> !m.learner() && m.started())
        .map(ObservedMember::name).collect(Collectors.toSet());
    long voterCount = observation.members().stream().filter(m -> !m.learner()).count();
    apply("PodDisruptionBudget", objects.podDisruptionBudget((int) voterCount), state.disruptionBudget(), cache, events,
        writesRefused);
    for (Pod p : state.pods()) {
      boolean voter = voters.contains(p.getMetadata().getName());
      boolean labelled = p.getMetadata().getLabels() != null
          && "true".equals(p.getMetadata().getLabels().get(ClusterNames.LABEL_VOTER));
      if (voter == labelled || p.getMetadata().getDeletionTimestamp() != null) continue;
      try {
        cache.label(client, p, ClusterNames.LABEL_VOTER, voter ? "true" : null);
      } catch (KubernetesClientException e) {
        log.warn("could not {} the voter label of pod {}/{}: {}", voter ? "set" : "remove", p.getMetadata().getNamespace(),
            p.getMetadata().getName(), e.getMessage());
      }
    }
  }

  /**
   * Writes one object if it must be, says so in an Event, and returns it as the API server now holds it; when the API
   * server refuses, records why and returns the live object.
   */
  private <T extends HasMetadata> T apply(String kind, T desired, T live, KubeCache cache, PassEvents events,
      List<SpecViolation> writesRefused) {
    String name = desired.getMetadata().getName();
    ObjectApplier.Applied<T> applied;
    try {
      applied = applier.apply(desired, live, cache);
    } catch (KubernetesClientException e) {
      String why = ApiRefusal.explain(e).orElseThrow(() -> e);
      writesRefused.add(new SpecViolation(kind + " " + name, "the API server refused the write: " + why));
      events.warning("ApplyRefused", kind + " " + name + " was not written: " + why + "; the rest goes on with the"
          + " object as it is");
      return live;
    }
    switch (applied.outcome()) {
      case CREATED -> events.normal("Created", "created " + kind + " " + name);
      case UPDATED -> events.normal("Updated", "updated " + kind + " " + name);
      case DRIFT_REVERTED -> events.warning("DriftReverted", kind + " " + name + " was changed outside etcdpilot ("
          + String.join(", ", applied.drifted()) + "); restored");
      default -> { }
    }
    return applied.object();
  }
}
