package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Where snapshots are stored. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SnapshotDestination {
  @JsonPropertyDescription("An S3-compatible bucket.")
  private S3Destination s3;

  public S3Destination getS3() { return s3; }
  public void setS3(S3Destination s3) { this.s3 = s3; }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SnapshotDestination x)) return false;
    return Objects.equals(s3, x.s3);
  }

  @Override
  public int hashCode() { return Objects.hash(s3); }
}
