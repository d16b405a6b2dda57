package io.etcdpilot.operator.snapshot;

import io.etcdpilot.operator.api.v1alpha1.EtcdSnapshotSpec;
import io.etcdpilot.operator.api.v1alpha1.S3Destination;
import io.etcdpilot.operator.api.v1alpha1.SnapshotDestination;
import io.etcdpilot.operator.model.SpecViolation;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules of a snapshot destination and of an EtcdSnapshot's spec, as code naming each field: the same for a
 * cluster's {@code spec.snapshots.destination} and an EtcdSnapshot's own, so that neither can name a bucket, a path or
 * an endpoint the other could not.
 */
public final class DestinationRules {
  private static final Pattern BUCKET = Pattern.compile("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$");
  private static final Pattern REGION = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");
  private static final Pattern PREFIX = Pattern.compile("^[A-Za-z0-9!_.*'()/-]{0,512}$");
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

  private DestinationRules() {}

  /** An EtcdSnapshot's spec: every broken rule, naming its field. */
  public static List<SpecViolation> validate(EtcdSnapshotSpec spec, EndpointPolicy endpoints) {
    List<SpecViolation> v = new ArrayList<>();
    if (spec == null) {
      v.add(new SpecViolation("spec", "is required"));
      return v;
    }
    if (spec.getClusterName() == null || spec.getClusterName().isBlank()) {
      v.add(new SpecViolation("spec.clusterName", "required"));
    } else if (!DNS_LABEL.matcher(spec.getClusterName()).matches()) {
      v.add(new SpecViolation("spec.clusterName", "must be an EtcdCluster's name, was '" + spec.getClusterName() + "'"));
    }
    destination("spec.destination", spec.getDestination(), endpoints, v);
    return v;
  }

  /** A destination, when one is given. */
  public static void destination(String field, SnapshotDestination d, EndpointPolicy endpoints, List<SpecViolation> v) {
    if (d == null) return;
    if (d.getS3() == null) {
      v.add(new SpecViolation(field + ".s3", "required"));
      return;
    }
    S3Destination s3 = d.getS3();
    String f = field + ".s3";
    if (s3.getBucket() == null || !BUCKET.matcher(s3.getBucket()).matches() || s3.getBucket().contains("..")) {
      v.add(new SpecViolation(f + ".bucket", "must be an S3 bucket name (3 to 63 lower-case letters, digits, '.', '-'),"
          + " was '" + s3.getBucket() + "'"));
    }
    if (s3.getRegion() == null || !REGION.matcher(s3.getRegion()).matches()) {
      v.add(new SpecViolation(f + ".region", "must be a region such as us-east-1, was '" + s3.getRegion() + "'"));
    }
    String prefix = s3.getPrefix();
    if (prefix != null && (!PREFIX.matcher(prefix).matches() || prefix.contains("..") || prefix.contains("//"))) {
      v.add(new SpecViolation(f + ".prefix", "must be a key prefix of letters, digits and !_.*'()/- without '..' or"
          + " '//', was '" + prefix + "'"));
    }
    if (s3.getCredentialsSecretName() == null || !DNS_SUBDOMAIN.matcher(s3.getCredentialsSecretName()).matches()) {
      v.add(new SpecViolation(f + ".credentialsSecretName", "must name a Secret, was '" + s3.getCredentialsSecretName() + "'"));
    }
    if (s3.getCaSecretName() != null && !DNS_SUBDOMAIN.matcher(s3.getCaSecretName()).matches()) {
      v.add(new SpecViolation(f + ".caSecretName", "must name a Secret, was '" + s3.getCaSecretName() + "'"));
    }
    endpoints.refusal(s3.getEndpoint()).ifPresent(r -> v.add(new SpecViolation(f + ".endpoint", r)));
  }
}
