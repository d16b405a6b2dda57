package io.etcdpilot.operator.snapshot;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshotStatus;
import io.etcdpilot.operator.api.v1alpha1.S3Destination;
import io.etcdpilot.operator.kube.EventRecorder;
import io.etcdpilot.operator.model.SpecViolation;
import io.etcdpilot.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the snapshot an {@link EtcdSnapshot} asks for, once: Pending → Running (the stream runs on
 * {@link SnapshotJobs}, never on this thread) → Succeeded or Failed, after which the object is a record and never
 * changes. One snapshot per cluster at a time; a second one waits as Pending.
 */
// Every event, deletions included: only snapshots asking for their objects' deletion carry a finalizer, so a record
// deleted with its namespace or by GitOps never waits for the operator.
@ControllerConfiguration(name = "etcdsnapshot", triggerReconcilerOnAllEvents = true)
public class EtcdSnapshotReconciler implements Reconciler<EtcdSnapshot> {
  private static final Logger log = LoggerFactory.getLogger(EtcdSnapshotReconciler.class);
  public static final String PENDING = "Pending";
  public static final String RUNNING = "Running";
  public static final String SUCCEEDED = "Succeeded";
  public static final String FAILED = "Failed";
  private static final Duration WAIT = Duration.ofSeconds(5);
  /** On a snapshot whose spec.deleteObjectsOnDelete is true: its objects go before the record does. */
  public static final String FINALIZER = "etcdpilot.io/delete-objects";
  /** How long an unreachable store may hold a deletion back before the record goes and the objects stay. */
  static final Duration DELETE_PATIENCE = Duration.ofMinutes(10);
  private static final Duration DELETE_RETRY = Duration.ofSeconds(15);

  private final KubernetesClient client;
  private final SnapshotJobs jobs;
  private final SnapshotTaker taker;
  private final EndpointPolicy endpoints;
  private final EventRecorder events;
  private final Clock clock;

  public EtcdSnapshotReconciler(KubernetesClient client, SnapshotJobs jobs, SnapshotTaker taker, EndpointPolicy endpoints,
      Clock clock) {
    this.client = client;
    this.jobs = jobs;
    this.taker = taker;
    this.endpoints = endpoints;
    this.events = new EventRecorder(client);
    this.clock = clock;
  }

  @Override
  public UpdateControl<EtcdSnapshot> reconcile(EtcdSnapshot seen, Context<EtcdSnapshot> context) {
    if (context.isPrimaryResourceDeleted()) return UpdateControl.noUpdate();
    if (seen.isMarkedForDeletion()) return deletion(seen, context);
    EtcdSnapshot snapshot = deletesObjects(seen)
        ? PrimaryUpdateAndCacheUtils.addFinalizer(context.getClient(), seen, FINALIZER)
        : PrimaryUpdateAndCacheUtils.removeFinalizer(context.getClient(), seen, FINALIZER);
    String phase = snapshot.getStatus() == null ? null : snapshot.getStatus().getPhase();
    if (SUCCEEDED.equals(phase) || FAILED.equals(phase)) return UpdateControl.noUpdate();
    String ns = snapshot.getMetadata().getNamespace();
    String clusterName = snapshot.getSpec() == null ? null : snapshot.getSpec().getClusterName();
    String clusterKey = ns + "/" + clusterName;
    String name = snapshot.getMetadata().getName();
    if (jobs.isRunning(clusterKey, name)) return UpdateControl.noUpdate();
    if (RUNNING.equals(phase)) {
      // Running, but not here: the operator that streamed it is gone, and with it the upload (its parts aborted).
      write(snapshot, RUNNING, failed("the operator restarted while the snapshot streamed; create a new EtcdSnapshot"));
      S3Destination storedIn = snapshot.getStatus().getStoredIn();
      if (storedIn != null) jobs.background(clusterKey + "/" + name + "#abort", () -> abortUploads(snapshot, storedIn));
      return UpdateControl.noUpdate();
    }
    List<SpecViolation> invalid = DestinationRules.validate(snapshot.getSpec(), endpoints);
    if (!invalid.isEmpty()) {
      fail(snapshot, invalid.stream().map(SpecViolation::toString).collect(java.util.stream.Collectors.joining("; ")));
      return UpdateControl.noUpdate();
    }
    EtcdCluster cluster = client.resources(EtcdCluster.class).inNamespace(ns).withName(clusterName).get();
    if (cluster == null) {
      fail(snapshot, "spec.clusterName: no EtcdCluster " + clusterName + " in namespace " + ns);
      return UpdateControl.noUpdate();
    }
    String started = now();
    boolean startedNow = jobs.start(clusterKey, name, () -> run(snapshot, cluster, started));
    if (!startedNow) {
      String other = jobs.runningFor(clusterKey).orElse("another snapshot");
      write(snapshot, s -> {
        s.setPhase(PENDING);
        s.setMessage("waiting for snapshot " + other + " of the same cluster");
      });
      return UpdateControl.<EtcdSnapshot>noUpdate().rescheduleAfter(WAIT);
    }
    return UpdateControl.noUpdate();
  }

  private static boolean deletesObjects(EtcdSnapshot snapshot) {
    return snapshot.getSpec() != null && Boolean.TRUE.equals(snapshot.getSpec().getDeleteObjectsOnDelete());
  }

  /**
   * A record being deleted that carries our finalizer: its stored objects first, then the finalizer. A deletion that
   * cannot succeed (no Secret, no destination) or a store unreachable past {@link #DELETE_PATIENCE} lets the record
   * go and keeps the objects, with a Warning saying where they are: never a record stuck for good.
   */
  private UpdateControl<EtcdSnapshot> deletion(EtcdSnapshot snapshot, Context<EtcdSnapshot> context) {
    if (!snapshot.hasFinalizer(FINALIZER)) return UpdateControl.noUpdate();
    String ns = snapshot.getMetadata().getNamespace();
    String clusterKey = ns + "/" + (snapshot.getSpec() == null ? null : snapshot.getSpec().getClusterName());
    if (jobs.isRunning(clusterKey, snapshot.getMetadata().getName())) {
      return UpdateControl.<EtcdSnapshot>noUpdate().rescheduleAfter(WAIT); // its objects are being written
    }
    String location = snapshot.getStatus() == null ? null : snapshot.getStatus().getLocation();
    if (location != null) {
      try {
        taker.deleteObjects(snapshot, taker.storedIn(snapshot), ns, snapshot.getSpec().getClusterName());
        events.normal(snapshot, "SnapshotObjectsDeleted", "deleted " + location + " and its manifest");
      } catch (SnapshotTaker.Refused e) {
        events.warning(snapshot, "SnapshotObjectsKept", "objects kept at " + location + ": " + e.getMessage());
      } catch (Exception e) {
        Instant since = Instant.parse(snapshot.getMetadata().getDeletionTimestamp());
        if (clock.instant().isBefore(since.plus(DELETE_PATIENCE))) {
          events.warning(snapshot, "SnapshotObjectsNotDeleted", "cannot delete " + location + " yet (retrying): "
              + e.getMessage());
          return UpdateControl.<EtcdSnapshot>noUpdate().rescheduleAfter(DELETE_RETRY);
        }
        events.warning(snapshot, "SnapshotObjectsKept", "objects kept at " + location + ": the store refused for "
            + DELETE_PATIENCE.toMinutes() + " minutes: " + e.getMessage());
      }
    }
    PrimaryUpdateAndCacheUtils.removeFinalizer(context.getClient(), snapshot, FINALIZER);
    return UpdateControl.noUpdate();
  }

  private void abortUploads(EtcdSnapshot snapshot, S3Destination d) {
    try {
      int aborted = taker.abortUploads(snapshot, d);
      if (aborted > 0) events.normal(snapshot, "SnapshotUploadAborted", "aborted " + aborted + " unfinished upload(s)");
    } catch (Exception e) {
      log.warn("could not abort the unfinished upload of snapshot {}/{}: {}", snapshot.getMetadata().getNamespace(),
          snapshot.getMetadata().getName(), e.toString());
    }
  }

  private void run(EtcdSnapshot snapshot, EtcdCluster cluster, String started) {
    try {
      S3Destination d = SnapshotTaker.destination(snapshot, cluster);
      write(snapshot, s -> {
        s.setPhase(RUNNING);
        s.setStartTime(started);
        s.setStoredIn(d); // known before the first byte: a restarted operator finds the upload it left
        s.setMessage("streaming from etcd to the object store");
      });
    } catch (SnapshotTaker.Refused e) {
      fail(snapshot, e.getMessage());
      return;
    }
    try {
      SnapshotTaker.Taken taken = taker.take(snapshot, cluster, started);
      write(snapshot, s -> {
        s.setPhase(SUCCEEDED);
        s.setCompletionTime(now());
        s.setMember(taken.member());
        s.setEtcdVersion(taken.etcdVersion());
        s.setRevision(taken.stored().revision());
        s.setSha256(taken.stored().sha256());
        s.setDbSize(taken.stored().dbSize());
        s.setSize(taken.stored().storedSize());
        s.setLocation(taken.location());
        s.setEncryptionKeyId(taken.encryptionKeyId());
        s.setEncryptionKeySecretName(taken.encryptionKeySecretName());
        s.setTls(taken.tls());
        s.setMessage("revision " + taken.stored().revision() + " from " + taken.member() + ", "
            + taken.stored().dbSize() + " bytes of database stored as " + taken.stored().storedSize());
      });
      events.normal(snapshot, "SnapshotSucceeded", "stored " + taken.location() + " (revision "
          + taken.stored().revision() + ", from " + taken.member() + ")");
    } catch (SnapshotTaker.Refused | java.io.IOException e) {
      fail(snapshot, e.getMessage());
    } catch (Exception e) {
      log.warn("snapshot {}/{} failed", snapshot.getMetadata().getNamespace(), snapshot.getMetadata().getName(), e);
      fail(snapshot, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
  }

  private void fail(EtcdSnapshot snapshot, String message) {
    write(snapshot, null, failed(message));
  }

  private Consumer<EtcdSnapshotStatus> failed(String message) {
    return s -> {
      s.setPhase(FAILED);
      s.setCompletionTime(now());
      s.setMessage(message);
    };
  }

  private void write(EtcdSnapshot snapshot, Consumer<EtcdSnapshotStatus> change) {
    write(snapshot, null, change);
  }

  /**
   * Changes the status as the API server holds it now (the job and the reconciler both write it); never once it is
   * Succeeded or Failed, and, when {@code onlyIn} is given, only while the phase is still that.
   */
  private void write(EtcdSnapshot snapshot, String onlyIn, Consumer<EtcdSnapshotStatus> change) {
    try {
      client.resources(EtcdSnapshot.class).inNamespace(snapshot.getMetadata().getNamespace())
          .withName(snapshot.getMetadata().getName()).editStatus(live -> {
            EtcdSnapshotStatus s = live.getStatus() == null ? new EtcdSnapshotStatus() : live.getStatus();
            if (SUCCEEDED.equals(s.getPhase()) || FAILED.equals(s.getPhase())) return live;
            if (onlyIn != null && !onlyIn.equals(s.getPhase())) return live;
            String before = s.getPhase();
            change.accept(s);
            if (FAILED.equals(s.getPhase()) && !FAILED.equals(before)) {
              events.warning(live, "SnapshotFailed", s.getMessage());
            }
            s.setConditions(conditions(s, live.getMetadata().getGeneration()));
            live.setStatus(s);
            return live;
          });
    } catch (RuntimeException e) {
      log.warn("could not write the status of snapshot {}/{}: {}", snapshot.getMetadata().getNamespace(),
          snapshot.getMetadata().getName(), e.toString());
    }
  }

  /** kstatus: Ready once stored, Reconciling while pending or streaming, Stalled once failed. */
  static List<Condition> conditions(EtcdSnapshotStatus s, Long generation) {
    Instant now = Instant.now();
    List<Condition> prev = s.getConditions();
    List<Condition> c = new ArrayList<>();
    String phase = s.getPhase();
    String message = s.getMessage() == null ? "" : s.getMessage();
    c.add(Conditions.next(prev, Conditions.READY, SUCCEEDED.equals(phase), phase, message, generation, now));
    c.add(Conditions.next(prev, Conditions.RECONCILING, PENDING.equals(phase) || RUNNING.equals(phase), phase, message,
        generation, now));
    c.add(Conditions.next(prev, Conditions.STALLED, FAILED.equals(phase), phase, message, generation, now));
    return c;
  }

  private String now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
