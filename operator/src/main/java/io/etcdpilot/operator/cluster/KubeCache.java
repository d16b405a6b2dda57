package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.model.ClusterNames;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The operator's objects as JOSDK's informers hold them, and the one way to write them: every write goes back into
 * the informer's temporary cache, so the next read of this or the next pass sees it even before the watch brings it
 * (read-after-write without a GET). Reads never reach the API server.
 */
final class KubeCache {
  private static final List<Class<? extends HasMetadata>> OWNED = List.of(StatefulSet.class, Service.class,
      ConfigMap.class, PodDisruptionBudget.class, Secret.class, Job.class);

  private final Context<EtcdCluster> context;
  private final ResourceID primary;
  private final String namespace;

  KubeCache(Context<EtcdCluster> context, EtcdCluster cluster) {
    this.context = context;
    this.primary = ResourceID.fromResource(cluster);
    this.namespace = cluster.getMetadata().getNamespace();
  }

  /** The informers a reconcile reads from: objects it owns (by owner reference), and pods and claims by cluster label. */
  static List<EventSource<?, EtcdCluster>> eventSources(EventSourceContext<EtcdCluster> context) {
    List<EventSource<?, EtcdCluster>> sources = new ArrayList<>();
    String managed = ClusterNames.LABEL_MANAGED_BY + "=" + ClusterNames.MANAGED_BY;
    for (Class<? extends HasMetadata> owned : OWNED) {
      sources.add(owned(owned, managed, context));
    }
    // Pods belong to the StatefulSet and claims to nobody: both map back through the cluster label.
    sources.add(labelled(Pod.class, context));
    sources.add(labelled(PersistentVolumeClaim.class, context));
    // Snapshots name their cluster in the spec (a user's on-demand one carries none of our labels); a cluster to be
    // created from one hears of it too (it waits for that snapshot to succeed).
    sources.add(new InformerEventSource<>(InformerEventSourceConfiguration.from(EtcdSnapshot.class, EtcdCluster.class)
        .withName(sourceName(EtcdSnapshot.class))
        .withSecondaryToPrimaryMapper(s -> snapshotsClusters(s, context))
        .build(), context));
    return sources;
  }

  private static Set<ResourceID> snapshotsClusters(EtcdSnapshot s, EventSourceContext<EtcdCluster> context) {
    String ns = s.getMetadata().getNamespace();
    Set<ResourceID> out = new HashSet<>();
    if (s.getSpec() != null && s.getSpec().getClusterName() != null) out.add(new ResourceID(s.getSpec().getClusterName(), ns));
    context.getPrimaryCache().list(ns, c -> c.getSpec() != null && c.getSpec().getBootstrap() != null
            && c.getSpec().getBootstrap().getFromSnapshot() != null
            && s.getMetadata().getName().equals(c.getSpec().getBootstrap().getFromSnapshot().getSnapshotName()))
        .forEach(c -> out.add(ResourceID.fromResource(c)));
    return out;
  }

  private static <R extends HasMetadata> EventSource<?, EtcdCluster> owned(Class<R> type, String selector,
      EventSourceContext<EtcdCluster> context) {
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(type, EtcdCluster.class)
        .withName(sourceName(type))
        .withLabelSelector(selector)
        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(EtcdCluster.class))
        .build(), context);
  }

  private static <R extends HasMetadata> EventSource<?, EtcdCluster> labelled(Class<R> type,
      EventSourceContext<EtcdCluster> context) {
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(type, EtcdCluster.class)
        .withName(sourceName(type))
        .withLabelSelector(ClusterNames.LABEL_CLUSTER)
        .withSecondaryToPrimaryMapper(r -> Set.of(new ResourceID(
            r.getMetadata().getLabels().get(ClusterNames.LABEL_CLUSTER), r.getMetadata().getNamespace())))
        .build(), context);
  }

  private static String sourceName(Class<?> type) {
    return type.getSimpleName().toLowerCase();
  }

  @SuppressWarnings("unchecked")
  private <R extends HasMetadata> InformerEventSource<R, EtcdCluster> source(Class<R> type) {
    return (InformerEventSource<R, EtcdCluster>) context.eventSourceRetriever().getEventSourceFor(type, sourceName(type));
  }

  /** The cached object of that kind and name in the cluster's namespace. */
  <R extends HasMetadata> Optional<R> get(Class<R> type, String name) {
    return source(type).get(new ResourceID(name, namespace));
  }

  /** Every cached object of that kind labelled for this cluster (pods, claims). */
  <R extends HasMetadata> List<R> labelled(Class<R> type, String cluster) {
    return source(type).list(namespace, r -> r.getMetadata().getLabels() != null
        && cluster.equals(r.getMetadata().getLabels().get(ClusterNames.LABEL_CLUSTER))).toList();
  }

  /** The cluster's snapshots, on-demand and scheduled. */
  List<EtcdSnapshot> snapshots(String cluster) {
    return source(EtcdSnapshot.class).list(namespace, s -> s.getSpec() != null
        && cluster.equals(s.getSpec().getClusterName())).toList();
  }

  /** Creates or replaces {@code desired} (replacing {@code live}, locked on its resourceVersion) and caches the result. */
  @SuppressWarnings("unchecked")
  <R extends HasMetadata> R write(KubernetesClient client, R desired, R live) {
    InformerEventSource<R, EtcdCluster> source = source((Class<R>) desired.getClass());
    if (live == null) {
      R created = client.resource(desired).create();
      source.handleRecentResourceCreate(primary, created);
      return created;
    }
    desired.getMetadata().setResourceVersion(live.getMetadata().getResourceVersion());
    R updated = client.resource(desired).update();
    source.handleRecentResourceUpdate(primary, updated, live);
    return updated;
  }

  /**
   * Sets one label on an object (null removes it) with a merge patch, which touches nothing else on it, and caches
   * the result. For labels the operator keeps on objects it does not own (pods, claims).
   */
  @SuppressWarnings("unchecked")
  <R extends HasMetadata> R label(KubernetesClient client, R live, String key, String value) {
    String patch = "{\"metadata\":{\"labels\":{\"" + key + "\":" + (value == null ? "null" : "\"" + value + "\"") + "}}}";
    R written = client.resource(live).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    source((Class<R>) written.getClass()).handleRecentResourceUpdate(primary, written, live);
    return written;
  }
}
