package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** Each member's volume: size, class, and what happens to it on scale-in and when the cluster is deleted. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageSpec {
  public static final String DEFAULT_SIZE = "8Gi";
  static final String QUANTITY = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$";

  /** What happens to a member's volume when its member goes away. */
  public enum VolumePolicy { Delete, Retain }

  @Default("8Gi")
  @Pattern(QUANTITY)
  @JsonPropertyDescription("Size of each member's volume (a Kubernetes quantity such as 8Gi). It may grow where the"
      + " StorageClass allows volume expansion; it never shrinks.")
  private String size = DEFAULT_SIZE;

  @JsonPropertyDescription("StorageClass of the volumes; pick an SSD class. Empty: the cluster default.")
  private String storageClassName;

  @Default("Delete")
  @JsonPropertyDescription("Volume of a member removed by scale-in: Delete (default; a removed member can never rejoin with stale data) or Retain.")
  private VolumePolicy onScaleIn = VolumePolicy.Delete;

  @Default("Retain")
  @JsonPropertyDescription("Volumes when the EtcdCluster is deleted: Retain (default, data kept for recovery) or Delete.")
  private VolumePolicy onDelete = VolumePolicy.Retain;

  @JsonPropertyDescription("Grow the volumes by themselves when live data nears the quota (volumes may then be larger"
      + " than size; size stays the least they are).")
  private AutoGrowSpec autoGrow;

  public AutoGrowSpec getAutoGrow() { return autoGrow; }
  public void setAutoGrow(AutoGrowSpec autoGrow) { this.autoGrow = autoGrow; }
  public String getSize() { return size; }
  public void setSize(String size) { this.size = size; }
  public String getStorageClassName() { return storageClassName; }
  public void setStorageClassName(String storageClassName) { this.storageClassName = storageClassName; }
  public VolumePolicy getOnScaleIn() { return onScaleIn; }
  public void setOnScaleIn(VolumePolicy onScaleIn) { this.onScaleIn = onScaleIn; }
  public VolumePolicy getOnDelete() { return onDelete; }
  public void setOnDelete(VolumePolicy onDelete) { this.onDelete = onDelete; }
}
