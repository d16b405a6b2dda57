package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.model.ClusterObjects;
import io.etcdpilot.operator.model.EtcdVersion;
import io.etcdpilot.operator.model.SpecViolation;
import io.etcdpilot.operator.snapshot.UpgradeSnapshot;
import io.etcdpilot.operator.upgrade.VersionGate;
import java.util.List;

/**
 * The version gate's output: the objects as members may run them now (at the gate's version, which is
 * {@code spec.version} unless a step is refused or etcd must act first), and the changes left out.
 *
 * @param renderedBefore the version the live StatefulSet renders; null before it exists
 * @param refused spec changes not carried out (the rest of the pass goes on without them)
 * @param upgradeSnapshot the snapshot a change of minor version waits for (its name null when none does)
 */
record Versioned(Rendering.Desired desired, ClusterObjects objects, VersionGate.Decision version,
    EtcdVersion renderedBefore, List<SpecViolation> refused, UpgradeSnapshot.Gate upgradeSnapshot) {

  /** This pass starts rendering members with another version than the live StatefulSet. */
  boolean versionChanges() {
    return renderedBefore != null && !renderedBefore.equals(version.render());
  }
}
