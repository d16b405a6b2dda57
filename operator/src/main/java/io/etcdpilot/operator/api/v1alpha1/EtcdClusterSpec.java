package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** What the user asks for: size, version, storage, scheduling, TLS, etcd options, snapshots, how the cluster starts. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EtcdClusterSpec {
  @SpecReplicas
  @Min(1)
  @Max(9)
  @Default("3")
  @JsonPropertyDescription("Number of voting members, 1..9. Odd sizes are recommended; even sizes are allowed with a warning.")
  private Integer replicas = 3;

  @Required
  @Pattern("^[0-9]+\\.[0-9]+\\.[0-9]+$")
  @JsonPropertyDescription("etcd version, MAJOR.MINOR.PATCH, e.g. 3.5.35. Supported minors: 3.4, 3.5, 3.6, 3.7.")
  private String version;

  @JsonPropertyDescription("Container image override. Default: gcr.io/etcd-development/etcd:v<version>.")
  private String image;

  @JsonPropertyDescription("Persistent storage of each member.")
  private StorageSpec storage;

  @JsonPropertyDescription("CPU and memory of the etcd container.")
  private ResourceRequirements resources;

  @JsonPropertyDescription("Where members run. Default: at most one member per node.")
  private SchedulingSpec scheduling;

  @JsonPropertyDescription("Transport security of the client and peer planes.")
  private TlsSpec tls;

  @JsonPropertyDescription("Typed etcd options.")
  private EtcdOptions etcd;

  @JsonPropertyDescription("When true the operator observes the cluster and reports status but changes nothing.")
  private Boolean paused;

  @JsonPropertyDescription("Extra metadata for member pods.")
  private PodTemplateSpec podTemplate;

  @JsonPropertyDescription("Scheduled snapshots to S3-compatible storage, and the default destination of EtcdSnapshots.")
  private SnapshotsSpec snapshots;

  @JsonPropertyDescription("How the cluster starts: from a snapshot. Honoured only when the cluster is created.")
  private BootstrapSpec bootstrap;

  @JsonPropertyDescription("Defragmentation and the quota's care (on by default).")
  private MaintenanceSpec maintenance;

  public MaintenanceSpec getMaintenance() { return maintenance; }
  public void setMaintenance(MaintenanceSpec maintenance) { this.maintenance = maintenance; }

  public Integer getReplicas() { return replicas; }
  public void setReplicas(Integer replicas) { this.replicas = replicas; }
  public String getVersion() { return version; }
  public void setVersion(String version) { this.version = version; }
  public String getImage() { return image; }
  public void setImage(String image) { this.image = image; }
  public StorageSpec getStorage() { return storage; }
  public void setStorage(StorageSpec storage) { this.storage = storage; }
  public ResourceRequirements getResources() { return resources; }
  public void setResources(ResourceRequirements resources) { this.resources = resources; }
  public SchedulingSpec getScheduling() { return scheduling; }
  public void setScheduling(SchedulingSpec scheduling) { this.scheduling = scheduling; }
  public TlsSpec getTls() { return tls; }
  public void setTls(TlsSpec tls) { this.tls = tls; }
  public EtcdOptions getEtcd() { return etcd; }
  public void setEtcd(EtcdOptions etcd) { this.etcd = etcd; }
  public Boolean getPaused() { return paused; }
  public void setPaused(Boolean paused) { this.paused = paused; }
  public BootstrapSpec getBootstrap() { return bootstrap; }
  public void setBootstrap(BootstrapSpec bootstrap) { this.bootstrap = bootstrap; }
  public SnapshotsSpec getSnapshots() { return snapshots; }
  public void setSnapshots(SnapshotsSpec snapshots) { this.snapshots = snapshots; }
  public PodTemplateSpec getPodTemplate() { return podTemplate; }
  public void setPodTemplate(PodTemplateSpec podTemplate) { this.podTemplate = podTemplate; }
}
