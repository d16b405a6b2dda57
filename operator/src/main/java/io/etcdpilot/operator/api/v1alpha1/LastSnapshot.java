package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** The newest successful snapshot of the cluster. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LastSnapshot {
  @JsonPropertyDescription("The EtcdSnapshot.")
  private String name;
  @JsonPropertyDescription("When it completed.")
  private String time;
  @JsonPropertyDescription("etcd revision.")
  private Long revision;
  @JsonPropertyDescription("Bytes stored.")
  private Long size;

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public String getTime() { return time; }
  public void setTime(String time) { this.time = time; }
  public Long getRevision() { return revision; }
  public void setRevision(Long revision) { this.revision = revision; }
  public Long getSize() { return size; }
  public void setSize(Long size) { this.size = size; }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof LastSnapshot x)) return false;
    return Objects.equals(name, x.name)
        && Objects.equals(time, x.time)
        && Objects.equals(revision, x.revision)
        && Objects.equals(size, x.size);
  }

  @Override
  public int hashCode() { return Objects.hash(name, time, revision, size); }
}
