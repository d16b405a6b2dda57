package io.etcdpilot.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One snapshot of an EtcdCluster, streamed to object storage; created by a user (on demand) or by the schedule. */
@Group(EtcdCluster.GROUP)
@Version(EtcdCluster.VERSION)
@Plural("etcdsnapshots")
@ShortNames({"esnap"})
@AdditionalPrinterColumn(name = "Cluster", jsonPath = ".spec.clusterName", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Revision", jsonPath = ".status.revision", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Size", jsonPath = ".status.size", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class EtcdSnapshot extends CustomResource<EtcdSnapshotSpec, EtcdSnapshotStatus> implements Namespaced {
  /** On snapshots the schedule created. */
  public static final String SCHEDULED_LABEL = "etcdpilot.io/scheduled";

  @Override
  protected EtcdSnapshotSpec initSpec() {
    return new EtcdSnapshotSpec();
  }
}
