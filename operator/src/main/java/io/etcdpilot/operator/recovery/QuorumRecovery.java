package io.etcdpilot.operator.recovery;

import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.model.Quorum;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Recovery from a permanent loss of quorum, only on request. When a majority of members lost their data, etcd cannot
 * recover by itself and the operator must not guess: a person asks, with the annotation {@value #ANNOTATION} set to
 * {@code <cluster uid>:<any token>} (an imperative act, not desired state: a GitOps tool re-applying the spec never
 * repeats it, and the uid keeps a manifest copied from another cluster from triggering it). Then the data of the
 * surviving member furthest ahead is taken as a snapshot (a member serves its own snapshot without a leader), or, with
 * no survivor, the newest snapshot that succeeded is used; and every member is re-created from it, as a cluster
 * created from a snapshot is. Refused while a majority is merely down: their volumes hold data, and they heal by
 * themselves. Pure: decides from what the pass saw.
 */
public final class QuorumRecovery {
  public static final String ANNOTATION = "etcdpilot.io/recover-quorum";

  private QuorumRecovery() {}

  /** Whether the cluster carries a recovery request (valid or not). */
  public static boolean asked(io.etcdpilot.operator.api.v1alpha1.EtcdCluster cluster) {
    var a = cluster.getMetadata().getAnnotations();
    return a != null && a.get(ANNOTATION) != null && !a.get(ANNOTATION).isBlank();
  }

  /** A member that answers its own status though there is no quorum. */
  public record Survivor(String name, long raftIndex, long revision) {}

  /**
   * @param annotation the annotation's value; null when absent
   * @param quorum etcd answers with a leader
   * @param voters the voting members the cluster had
   * @param lost members whose pods say their data is gone (etcd refuses to start without it)
   * @param silent members that neither answer nor say their data is gone (their data may be the newest)
   * @param snapshots the cluster's EtcdSnapshots
   * @param restoredFrom the EtcdSnapshot the members were last created from (the cluster-state ConfigMap says so); null
   * @param creating the cluster-state ConfigMap says the members are being created (not yet formed)
   * @param destination the cluster has a snapshot destination (the survivor's data goes there)
   * @param verified the newest snapshot a restore drill passed on (null: none); preferred when no member survived
   */
  public record Inputs(String annotation, String uid, String cluster, boolean quorum, int voters, List<String> lost,
      List<String> silent, List<Survivor> survivors, List<EtcdSnapshot> snapshots, String restoredFrom,
      boolean creating, boolean destination, String verified) {}

  public sealed interface Plan permits Nothing, Refused, Wait, TakeSnapshot, Recreate, Done {}

  public record Nothing(String advice) implements Plan {}

  public record Refused(String why) implements Plan {}

  public record Wait(String why) implements Plan {}

  /** Stream the survivor's data into an EtcdSnapshot named {@code name}. */
  public record TakeSnapshot(String name, Survivor from) implements Plan {}

  /** Re-create every member from the EtcdSnapshot {@code snapshot} (taken of a survivor, or the newest one). */
  public record Recreate(String snapshot, long revision, String lostSince) implements Plan {}

  public record Done(String message) implements Plan {}

  public static Plan decide(Inputs in) {
    int quorum = Quorum.of(Math.max(1, in.voters()));
    boolean permanent = in.voters() - in.lost().size() < quorum;
    if (in.annotation() == null || in.annotation().isBlank()) {
      // Said without being asked: the way out is not obvious to someone who has never needed it.
      return new Nothing(!in.quorum() && permanent ? in.lost().size() + " of " + in.voters() + " members lost their"
          + " data (" + String.join(", ", in.lost()) + "): quorum cannot come back by itself; to recover from the"
          + " survivor or the newest snapshot, annotate the EtcdCluster " + ANNOTATION + "=<its uid>:<a token>" : null);
    }
    String[] value = in.annotation().split(":", 2);
    if (!value[0].equals(in.uid()) || value.length < 2 || value[1].isBlank()) {
      return new Refused(ANNOTATION + " must be '" + in.uid() + ":<a token>' (this cluster's uid confirms it is"
          + " meant for this one), was '" + in.annotation() + "'");
    }
    String name = snapshotName(in.cluster(), value[1]);
    if (in.quorum()) {
      return in.restoredFrom() != null && (name.equals(in.restoredFrom()) || in.snapshots().stream().noneMatch(x ->
          name.equals(x.getMetadata().getName()))) ? new Done("recovered from EtcdSnapshot " + in.restoredFrom()
          + "; remove the " + ANNOTATION + " annotation") : new Refused("the cluster has quorum: nothing to recover ("
          + ANNOTATION + " is ignored; remove it)");
    }
    if (in.creating() && in.restoredFrom() != null) {
      return new Wait("members are being re-created from EtcdSnapshot " + in.restoredFrom());
    }
    if (!permanent) {
      return new Refused(in.lost().size() + " of " + in.voters() + " members lost their data: a majority still has"
          + " theirs, so quorum comes back when they are back (members merely down are not lost); nothing is recovered");
    }
    Optional<EtcdSnapshot> taken = in.snapshots().stream().filter(s -> name.equals(s.getMetadata().getName())).findFirst();
    if (taken.isPresent()) {
      String phase = taken.get().getStatus() == null ? "Pending" : taken.get().getStatus().getPhase();
      if ("Succeeded".equals(phase)) {
        return new Recreate(name, revision(taken.get()), "the survivor's revision " + revision(taken.get()));
      }
      if ("Failed".equals(phase)) {
        return new Refused("the survivor's snapshot " + name + " failed (" + taken.get().getStatus().getMessage()
            + "); delete the EtcdSnapshot to try again");
      }
      return new Wait("taking the survivor's data: EtcdSnapshot " + name + " is " + phase);
    }
    if (!in.silent().isEmpty()) {
      return new Wait(String.join(", ", in.silent()) + " neither answer nor say their data is gone: their data may"
          + " be the newest; recovery waits for them to start (or to be found empty)");
    }
    Optional<Survivor> best = in.survivors().stream().max(Comparator.comparingLong(Survivor::raftIndex));
    if (best.isPresent()) {
      if (!in.destination()) {
        return new Refused("recovery takes the survivor's data through a snapshot: set spec.snapshots.destination");
      }
      return new TakeSnapshot(name, best.get());
    }
    Optional<EtcdSnapshot> newest = in.snapshots().stream().filter(s -> s.getStatus() != null
            && "Succeeded".equals(s.getStatus().getPhase()) && s.getStatus().getRevision() != null)
        .max(Comparator.comparing(s -> s.getStatus().getRevision()));
    if (newest.isEmpty()) {
      return new Refused("no member survived and no snapshot of this cluster succeeded: nothing to recover from");
    }
    // A snapshot a drill restored and found whole before one nobody has restored, even if older.
    Optional<EtcdSnapshot> verified = in.verified() == null ? Optional.empty() : in.snapshots().stream()
        .filter(s -> in.verified().equals(s.getMetadata().getName()) && s.getStatus() != null
            && "Succeeded".equals(s.getStatus().getPhase())).findFirst();
    if (verified.isPresent()) {
      return new Recreate(verified.get().getMetadata().getName(), revision(verified.get()),
          "EtcdSnapshot " + verified.get().getMetadata().getName() + " (no member survived; verified by a drill)");
    }
    return new Recreate(newest.get().getMetadata().getName(), revision(newest.get()),
        "EtcdSnapshot " + newest.get().getMetadata().getName() + " (no member survived; no drill has verified it)");
  }

  /** The EtcdSnapshot a recovery request takes: one per token. */
  public static String snapshotName(String cluster, String token) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return cluster + "-recovery-" + HexFormat.of().formatHex(h, 0, 4);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long revision(EtcdSnapshot s) {
    return s.getStatus() == null || s.getStatus().getRevision() == null ? 0 : s.getStatus().getRevision();
  }
}
