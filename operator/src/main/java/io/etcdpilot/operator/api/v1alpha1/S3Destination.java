package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** An S3-compatible bucket snapshots go to. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class S3Destination {
  @JsonPropertyDescription("Endpoint URL, e.g. https://s3.example.com. Empty: AWS's endpoint for the region.")
  private String endpoint;
  @io.fabric8.generator.annotation.Required
  @JsonPropertyDescription("Region, e.g. us-east-1.")
  private String region;
  @io.fabric8.generator.annotation.Required
  @JsonPropertyDescription("Bucket; it must exist.")
  private String bucket;
  @JsonPropertyDescription("Objects go under <prefix>/<snapshot name>.*")
  private String prefix;
  @JsonPropertyDescription("Path-style URLs (MinIO, Ceph RGW, s3proxy).")
  private Boolean forcePathStyle;
  @io.fabric8.generator.annotation.Required
  @JsonPropertyDescription("Secret (same namespace) with keys accessKeyID and secretAccessKey (optional sessionToken).")
  private String credentialsSecretName;
  @JsonPropertyDescription("Secret (same namespace) with ca.crt: trust for an endpoint with a private CA.")
  private String caSecretName;

  public String getEndpoint() { return endpoint; }
  public void setEndpoint(String endpoint) { this.endpoint = endpoint; }
  public String getRegion() { return region; }
  public void setRegion(String region) { this.region = region; }
  public String getBucket() { return bucket; }
  public void setBucket(String bucket) { this.bucket = bucket; }
  public String getPrefix() { return prefix; }
  public void setPrefix(String prefix) { this.prefix = prefix; }
  public Boolean getForcePathStyle() { return forcePathStyle; }
  public void setForcePathStyle(Boolean forcePathStyle) { this.forcePathStyle = forcePathStyle; }
  public String getCredentialsSecretName() { return credentialsSecretName; }
  public void setCredentialsSecretName(String credentialsSecretName) { this.credentialsSecretName = credentialsSecretName; }
  public String getCaSecretName() { return caSecretName; }
  public void setCaSecretName(String caSecretName) { this.caSecretName = caSecretName; }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof S3Destination x)) return false;
    return Objects.equals(endpoint, x.endpoint)
        && Objects.equals(region, x.region)
        && Objects.equals(bucket, x.bucket)
        && Objects.equals(prefix, x.prefix)
        && Objects.equals(forcePathStyle, x.forcePathStyle)
        && Objects.equals(credentialsSecretName, x.credentialsSecretName)
        && Objects.equals(caSecretName, x.caSecretName);
  }

  @Override
  public int hashCode() { return Objects.hash(endpoint, region, bucket, prefix, forcePathStyle, credentialsSecretName, caSecretName); }
}
