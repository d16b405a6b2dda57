package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterStatus;
import io.etcdpilot.operator.etcd.ClusterObservation;
import io.etcdpilot.operator.etcd.EtcdConnection;
import io.etcdpilot.operator.etcd.EtcdObserver;
import io.etcdpilot.operator.model.ClusterNames;
import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.status.Conditions;
import io.etcdpilot.operator.status.StatusCalculator;
import io.etcdpilot.operator.validation.SpecValidator;
import io.etcdpilot.operator.validation.SpecViolation;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile: validate, write the static objects, observe etcd, write status when it changed,
 * requeue. It never blocks on long waits: pod and StatefulSet events, or the timer, bring the next pass.
 */
@ControllerConfiguration(name = "etcdcluster")
public class EtcdClusterReconciler implements Reconciler<EtcdCluster> {
  private static final Logger log = LoggerFactory.getLogger(EtcdClusterReconciler.class);

  private final KubernetesClient client;
  private final EtcdObserver observer;
  private final OperatorSettings settings;
  private final SpecValidator validator = new SpecValidator();
  private final StatusCalculator statusCalculator = new StatusCalculator();
  private final ObjectApplier applier;
  private final EventRecorder events;
  private final Clock clock;

  public EtcdClusterReconciler(KubernetesClient client, EtcdObserver observer, OperatorSettings settings, Clock clock) {
    this.client = client;
    this.observer = observer;
    this.settings = settings;
    this.applier = new ObjectApplier(client);
    this.events = new EventRecorder(client);
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, EtcdCluster>> prepareEventSources(EventSourceContext<EtcdCluster> context) {
    List<EventSource<?, EtcdCluster>> sources = new ArrayList<>();
    String managed = ClusterNames.LABEL_MANAGED_BY + "=" + ClusterNames.MANAGED_BY;
    for (Class<? extends HasMetadata> owned : List.of(StatefulSet.class, Service.class, ConfigMap.class,
        PodDisruptionBudget.class)) {
      sources.add(ownedSource(owned, managed, context));
    }
    // Pods are owned by the StatefulSet, not by us: map them back through the cluster label.
    sources.add(new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, EtcdCluster.class)
        .withName("pods")
        .withLabelSelector(ClusterNames.LABEL_CLUSTER)
        .withSecondaryToPrimaryMapper(p -> Set.of(new ResourceID(
            p.getMetadata().getLabels().get(ClusterNames.LABEL_CLUSTER), p.getMetadata().getNamespace())))
        .build(), context));
    return sources;
  }

  private static <R extends HasMetadata> EventSource<?, EtcdCluster> ownedSource(Class<R> type, String selector,
      EventSourceContext<EtcdCluster> context) {
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(type, EtcdCluster.class)
        .withName(type.getSimpleName().toLowerCase())
        .withLabelSelector(selector)
        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(EtcdCluster.class))
        .build(), context);
  }

  @Override
  public UpdateControl<EtcdCluster> reconcile(EtcdCluster cluster, Context<EtcdCluster> context) {
    String namespace = cluster.getMetadata().getNamespace();
    ClusterNames names = new ClusterNames(cluster.getMetadata().getName(), namespace, settings.clusterDomain());
    List<SpecViolation> violations = validator.validate(cluster.getSpec());
    if (!violations.isEmpty()) {
      boolean wasStalled = cluster.getStatus() != null
          && Conditions.isTrue(cluster.getStatus().getConditions(), Conditions.STALLED);
      if (!wasStalled) {
        events.warning(cluster, "InvalidSpec", violations.toString());
      }
      EtcdClusterStatus status = statusCalculator.compute(new StatusCalculator.Inputs(cluster, names, violations,
          List.of(), ClusterObservation.unreachable("invalid spec"), 0, isPaused(cluster), clock.instant()));
      return withStatus(cluster, status, settings.steadyResync());
    }

    ClusterObjects objects = new ClusterObjects(cluster, settings.clusterDomain());
    boolean paused = isPaused(cluster);
    StatefulSet existingSts = client.apps().statefulSets().inNamespace(namespace).withName(names.statefulSet()).get();
    ConfigMap existingState = client.configMaps().inNamespace(namespace).withName(names.stateConfigMap()).get();
    boolean bootstrapped = existingState != null && existingState.getData() != null
        && ClusterObjects.STATE_EXISTING.equals(existingState.getData().get(ClusterObjects.STATE_KEY));

    if (!paused) {
      applyStaticObjects(cluster, objects, existingSts, existingState);
    }

    List<String> clientUrls = IntStream.range(0, memberCount(objects, existingSts))
        .mapToObj(i -> names.clientUrl(names.member(i), objects.tls())).toList();
    ClusterObservation observation = observer.observe(
        new EtcdConnection(namespace + "/" + names.cluster(), objects.tls()), clientUrls);

    if (!paused && observation.reachable() && !bootstrapped) {
      // The cluster has formed: from now on every starting member joins it instead of founding a new one.
      ConfigMap current = client.configMaps().inNamespace(namespace).withName(names.stateConfigMap()).get();
      String initialCluster = current.getData().get(ClusterObjects.INITIAL_CLUSTER_KEY);
      applier.apply(objects.stateConfigMap(ClusterObjects.STATE_EXISTING, initialCluster));
      events.normal(cluster, "ClusterFormed", "etcd cluster " + observation.clusterIdHex() + " formed with "
          + observation.members().size() + " members");
    }

    int pods = client.pods().inNamespace(namespace).withLabels(names.selectorLabels()).list().getItems().size();
    EtcdClusterStatus status = statusCalculator.compute(new StatusCalculator.Inputs(cluster, names, violations,
        validator.warnings(cluster.getSpec()), observation, pods, paused, clock.instant()));
    boolean ready = Conditions.isTrue(status.getConditions(), Conditions.READY);
    return withStatus(cluster, status, ready ? settings.steadyResync() : settings.busyResync());
  }

  private void applyStaticObjects(EtcdCluster cluster, ClusterObjects objects, StatefulSet existingSts,
      ConfigMap existingState) {
    report(cluster, "Service", applier.apply(objects.peerService()), objects.names().peerService());
    report(cluster, "Service", applier.apply(objects.clientService()), objects.names().clientService());
    ConfigMap state = existingState != null && existingState.getData() != null
        ? objects.stateConfigMap(existingState.getData().getOrDefault(ClusterObjects.STATE_KEY, ClusterObjects.STATE_NEW),
            existingState.getData().getOrDefault(ClusterObjects.INITIAL_CLUSTER_KEY,
                objects.names().initialCluster(objects.replicas(), objects.tls())))
        : objects.stateConfigMap(ClusterObjects.STATE_NEW, objects.names().initialCluster(objects.replicas(), objects.tls()));
    report(cluster, "ConfigMap", applier.apply(state), objects.names().stateConfigMap());
    report(cluster, "PodDisruptionBudget", applier.apply(objects.podDisruptionBudget()),
        objects.names().podDisruptionBudget());
    StatefulSet sts = objects.statefulSet();
    if (existingSts != null) {
      // After bootstrap the StatefulSet size follows etcd's membership, never the spec directly:
      // growing it without adding a learner first would start a member etcd does not know.
      sts.getSpec().setReplicas(existingSts.getSpec().getReplicas());
    }
    report(cluster, "StatefulSet", applier.apply(sts), objects.names().statefulSet());
  }

  private int memberCount(ClusterObjects objects, StatefulSet existingSts) {
    return existingSts != null && existingSts.getSpec().getReplicas() != null ? existingSts.getSpec().getReplicas()
        : objects.replicas();
  }

  private void report(EtcdCluster cluster, String kind, ObjectApplier.Outcome outcome, String name) {
    switch (outcome) {
      case CREATED -> events.normal(cluster, "Created", "created " + kind + " " + name);
      case UPDATED -> events.normal(cluster, "Updated", "updated " + kind + " " + name);
      default -> { }
    }
  }

  private static boolean isPaused(EtcdCluster cluster) {
    return Boolean.TRUE.equals(cluster.getSpec() == null ? null : cluster.getSpec().getPaused());
  }

  private UpdateControl<EtcdCluster> withStatus(EtcdCluster cluster, EtcdClusterStatus status,
      java.time.Duration requeue) {
    if (status.equals(cluster.getStatus())) {
      return UpdateControl.<EtcdCluster>noUpdate().rescheduleAfter(requeue);
    }
    cluster.setStatus(status);
    return UpdateControl.patchStatus(cluster).rescheduleAfter(requeue);
  }

  @Override
  public ErrorStatusUpdateControl<EtcdCluster> updateErrorStatus(EtcdCluster cluster, Context<EtcdCluster> context,
      Exception e) {
    log.warn("reconcile of {}/{} failed: {}", cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(),
        e.toString());
    return ErrorStatusUpdateControl.noStatusUpdate();
  }
}
