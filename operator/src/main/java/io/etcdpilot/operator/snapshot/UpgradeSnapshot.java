package io.etcdpilot.operator.snapshot;

import io.etcdpilot.operator.api.v1alpha1.EtcdCluster;
import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshot;
import io.etcdpilot.operator.model.EtcdVersion;
import java.util.List;
import java.util.Optional;

/**
 * A way back before a risky change: with a snapshot destination, a change of minor version (up, or down through
 * etcd's downgrade) starts only once a snapshot taken for it has succeeded. Pure: says what the gate needs.
 */
public final class UpgradeSnapshot {
  private UpgradeSnapshot() {}

  /**
   * What the version change waits for. {@code name}: the EtcdSnapshot taken for it; {@code create}: it does not exist
   * yet; {@code hold}: why the change waits (null: it may go on).
   */
  public record Gate(String name, boolean create, String hold) {
    static final Gate NONE = new Gate(null, false, null);
  }

  public static String name(EtcdCluster cluster, EtcdVersion to) {
    return cluster.getMetadata().getName() + "-before-" + to;
  }

  public static Gate gate(EtcdCluster cluster, EtcdVersion from, EtcdVersion to, List<EtcdSnapshot> snapshots) {
    var s = cluster.getSpec().getSnapshots();
    boolean destination = s != null && s.getDestination() != null;
    if (from == null || to == null || from.minor() == to.minor() && from.major() == to.major() || !destination
        || Boolean.FALSE.equals(s.getBeforeMinorChange())) {
      return Gate.NONE;
    }
    String name = name(cluster, to);
    Optional<EtcdSnapshot> taken = snapshots.stream().filter(x -> name.equals(x.getMetadata().getName())).findFirst();
    String change = from + " → " + to;
    if (taken.isEmpty()) return new Gate(name, true, "taking EtcdSnapshot " + name + " before " + change);
    String phase = taken.get().getStatus() == null ? null : taken.get().getStatus().getPhase();
    if ("Succeeded".equals(phase)) return new Gate(name, false, null);
    if ("Failed".equals(phase)) {
      return new Gate(name, false, "EtcdSnapshot " + name + ", the way back before " + change + ", failed ("
          + taken.get().getStatus().getMessage() + "): the change waits; delete the EtcdSnapshot to try again, or set"
          + " spec.snapshots.beforeMinorChange to false to go on without it");
    }
    return new Gate(name, false, "waiting for EtcdSnapshot " + name + " before " + change);
  }
}
