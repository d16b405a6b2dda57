package io.etcdpilot.operator.validation;

import io.etcdpilot.operator.model.SpecViolation;
import io.etcdpilot.operator.api.v1alpha1.EtcdClusterSpec;
import io.etcdpilot.operator.api.v1alpha1.EtcdOptions;
import io.etcdpilot.operator.api.v1alpha1.AutoGrowSpec;
import io.etcdpilot.operator.api.v1alpha1.DefragPolicy;
import io.etcdpilot.operator.api.v1alpha1.MaintenanceSpec;
import io.etcdpilot.operator.api.v1alpha1.StorageSpec;
import io.etcdpilot.operator.maintenance.DefragRule;
import io.etcdpilot.operator.maintenance.DefragWindow;
import io.etcdpilot.operator.model.BackendQuota;
import io.etcdpilot.operator.model.Durations;
import io.etcdpilot.operator.model.EtcdVersion;
import io.etcdpilot.operator.snapshot.DestinationRules;
import io.etcdpilot.operator.snapshot.EndpointPolicy;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The spec rules the CRD schema states, as code: an API server may not enforce the schema (older
 * servers, the sandbox, objects created before a schema change), and the operator must never act on a
 * spec it does not understand.
 */
public final class SpecValidator {
  public static final int MIN_REPLICAS = 1;
  public static final int MAX_REPLICAS = 9;
  public static final long MAX_QUOTA_BYTES = 8L * 1024 * 1024 * 1024;
  private static final Set<String> SUPPORTED_MINORS = Set.of("3.4", "3.5", "3.6", "3.7");
  private static final Pattern DURATION = Pattern.compile("^([0-9]+|([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+)$");
  private static final Pattern IMAGE = Pattern.compile("^[^\\s]+$");

  private final EndpointPolicy endpoints;

  /** With the strict endpoint policy (https outside the cluster only). */
  public SpecValidator() {
    this(EndpointPolicy.STRICT);
  }

  /** @param endpoints where snapshot stores may be, as the operator's setting allows */
  public SpecValidator(EndpointPolicy endpoints) {
    this.endpoints = endpoints;
  }

  public List<SpecViolation> validate(EtcdClusterSpec spec) {
    List<SpecViolation> v = new ArrayList<>();
    if (spec == null) {
      v.add(new SpecViolation("spec", "is required"));
      return v;
    }
    if (spec.getReplicas() == null) {
      v.add(new SpecViolation("spec.replicas", "is required"));
    } else if (spec.getReplicas() < MIN_REPLICAS || spec.getReplicas() > MAX_REPLICAS) {
      v.add(new SpecViolation("spec.replicas",
          "must be between " + MIN_REPLICAS + " and " + MAX_REPLICAS + ", was " + spec.getReplicas()));
    }
    validateVersion(spec.getVersion(), v);
    if (spec.getImage() != null && !IMAGE.matcher(spec.getImage()).matches()) {
      v.add(new SpecViolation("spec.image", "must be an image reference without spaces, was '" + spec.getImage() + "'"));
    } else if (spec.getImage() != null) {
      // The version rules and each version's flags follow spec.version: an image naming another one would bypass them.
      EtcdVersion.ofImageTag(spec.getImage()).filter(tagged -> EtcdVersion.tryParse(spec.getVersion())
          .map(asked -> !asked.equals(tagged)).orElse(false)).ifPresent(tagged ->
          v.add(new SpecViolation("spec.image", "its tag names etcd " + tagged + " but spec.version is "
              + spec.getVersion() + ": set spec.version to the version the image runs")));
    }
    if (spec.getStorage() != null && spec.getStorage().getSize() != null) {
      validateSize(spec.getStorage().getSize(), v);
    }
    if (spec.getSnapshots() != null) validateSnapshots(spec.getSnapshots(), v);
    if (spec.getBootstrap() != null && spec.getBootstrap().getFromSnapshot() != null) {
      DestinationRules.destination("spec.bootstrap.fromSnapshot.destination",
          spec.getBootstrap().getFromSnapshot().getDestination(), endpoints, v);
    }
    if (spec.getTls() != null) {
      validateTls(spec.getTls(), v);
    }
    if (spec.getEtcd() != null) {
      validateOptions(spec.getEtcd(), v);
    }
    validateQuotaAgainstVolume(spec, v);
    if (spec.getMaintenance() != null) validateMaintenance(spec.getMaintenance(), v);
    if (spec.getStorage() != null && spec.getStorage().getAutoGrow() != null) {
      validateAutoGrow(spec.getStorage(), v);
    }
    PassThroughFields.validate(spec, v);
    return v;
  }

  private static void validateQuotaAgainstVolume(EtcdClusterSpec spec, List<SpecViolation> v) {
    String size = spec.getStorage() == null || spec.getStorage().getSize() == null ? StorageSpec.DEFAULT_SIZE
        : spec.getStorage().getSize();
    long bytes;
    try {
      bytes = BackendQuota.bytes(size);
    } catch (RuntimeException e) {
      return; // reported by validateSize
    }
    Long quota = spec.getEtcd() == null ? null : spec.getEtcd().getQuotaBackendBytes();
    if (quota != null && quota > MAX_QUOTA_BYTES) return; // out of etcd's range: reported by validateOptions
    BackendQuota.misfit(spec.getEtcd(), bytes).ifPresent(m -> v.add(new SpecViolation("spec.etcd.quotaBackendBytes", m)));
  }

  private static void validateMaintenance(MaintenanceSpec m, List<SpecViolation> v) {
    DefragPolicy d = m.getDefrag();
    if (d == null) return;
    try {
      DefragRule.of(d.getRule());
    } catch (DefragRule.Invalid e) {
      v.add(new SpecViolation("spec.maintenance.defrag.rule", "is not a CEL expression over dbSize, dbSizeInUse,"
          + " dbSizeFree, dbQuota (int) and dbQuotaUsage (double) that gives a bool: " + e.getMessage()));
    }
    if (d.getMinInterval() != null) {
      try {
        if (Durations.parse(d.getMinInterval()).isNegative()) throw new IllegalArgumentException();
      } catch (RuntimeException e) {
        v.add(new SpecViolation("spec.maintenance.defrag.minInterval", "must be a duration such as 1h, was '"
            + d.getMinInterval() + "'"));
      }
    }
    DefragWindow.problems(d.getWindow(), "spec.maintenance.defrag.window").ifPresent(p -> {
      int colon = p.indexOf(':');
      v.add(new SpecViolation(p.substring(0, colon), p.substring(colon + 1).strip()));
    });
  }

  private static void validateAutoGrow(StorageSpec storage, List<SpecViolation> v) {
    AutoGrowSpec g = storage.getAutoGrow();
    if (g.getWhenLiveDataAbove() != null && (g.getWhenLiveDataAbove() < 1 || g.getWhenLiveDataAbove() > 95)) {
      v.add(new SpecViolation("spec.storage.autoGrow.whenLiveDataAbove", "must be a percent between 1 and 95, was "
          + g.getWhenLiveDataAbove()));
    }
    Long step = quantity(g.getStep(), "spec.storage.autoGrow.step", true, v);
    Long max = quantity(g.getMaxSize(), "spec.storage.autoGrow.maxSize", true, v);
    Long size = quantity(storage.getSize() == null ? StorageSpec.DEFAULT_SIZE : storage.getSize(), "spec.storage.size",
        false, v);
    if (step != null && step <= 0) v.add(new SpecViolation("spec.storage.autoGrow.step", "must be positive"));
    if (max != null && size != null && max < size) {
      v.add(new SpecViolation("spec.storage.autoGrow.maxSize", "must be at least spec.storage.size (" + storage.getSize()
          + "), was " + g.getMaxSize()));
    }
  }

  /** Bytes of a quantity; null (and, when {@code required}, a violation) when absent or not a quantity. */
  private static Long quantity(String value, String field, boolean required, List<SpecViolation> v) {
    if (value == null) {
      if (required) v.add(new SpecViolation(field, "is required"));
      return null;
    }
    try {
      return BackendQuota.bytes(value);
    } catch (RuntimeException e) {
      if (required) v.add(new SpecViolation(field, "must be a quantity such as 2Gi, was '" + value + "'"));
      return null;
    }
  }

  /** Non-fatal advice about a valid spec. */
  public List<String> warnings(EtcdClusterSpec spec) {
    List<String> w = new ArrayList<>();
    if (spec != null && spec.getReplicas() != null && spec.getReplicas() % 2 == 0) {
      w.add("spec.replicas is even (" + spec.getReplicas() + "): it tolerates no more failures than "
          + (spec.getReplicas() - 1) + " members and makes quorum harder to keep; use an odd size");
    }
    return w;
  }

  private void validateSnapshots(io.etcdpilot.operator.api.v1alpha1.SnapshotsSpec s, List<SpecViolation> v) {
    String base = "spec.snapshots.";
    DestinationRules.destination(base + "destination", s.getDestination(), endpoints, v);
    if (s.getSchedule() != null && !s.getSchedule().isBlank()) {
      try {
        io.etcdpilot.operator.snapshot.SnapshotSchedule.parse(s.getSchedule(), s.getTimeZone());
      } catch (IllegalArgumentException e) {
        String msg = e.getMessage();
        int colon = msg.indexOf(": ");
        v.add(new SpecViolation(base + msg.substring(0, colon), msg.substring(colon + 2)));
      }
      if (s.getDestination() == null || s.getDestination().getS3() == null) {
        v.add(new SpecViolation(base + "destination", "is required with a schedule"));
      }
    }
    if (s.getVerify() != null && !s.getVerify().isBlank()) {
      try {
        io.etcdpilot.operator.snapshot.SnapshotSchedule.parse(s.getVerify(), s.getTimeZone());
      } catch (IllegalArgumentException e) {
        String msg = e.getMessage();
        int colon = msg.indexOf(": ");
        String field = msg.substring(0, colon).equals("schedule") ? "verify" : msg.substring(0, colon);
        v.add(new SpecViolation(base + field, msg.substring(colon + 2)));
      }
      if (s.getDestination() == null || s.getDestination().getS3() == null) {
        v.add(new SpecViolation(base + "destination", "is required with verify: a drill restores from it"));
      }
    }
    if (s.getCompression() != null && !java.util.Set.of("zstd", "gzip", "none").contains(s.getCompression())) {
      v.add(new SpecViolation(base + "compression", "must be zstd, gzip or none, was '" + s.getCompression() + "'"));
    }
    if (s.getRetention() != null) {
      if (s.getRetention().getKeep() != null && s.getRetention().getKeep() < 1) {
        v.add(new SpecViolation(base + "retention.keep", "must be at least 1, was " + s.getRetention().getKeep()));
      }
      if (s.getRetention().getMaxAge() != null) {
        try {
          io.etcdpilot.operator.model.Durations.parse(s.getRetention().getMaxAge());
        } catch (IllegalArgumentException e) {
          v.add(new SpecViolation(base + "retention.maxAge", "must be a duration like 720h, was '"
              + s.getRetention().getMaxAge() + "'"));
        }
      }
    }
    if (s.getEncryption() != null && (s.getEncryption().getKeySecretName() == null
        || s.getEncryption().getKeySecretName().isBlank())) {
      v.add(new SpecViolation(base + "encryption.keySecretName", "is required"));
    }
    var d = s.getDestination() == null ? null : s.getDestination().getS3();
    if (d != null) {
      if (d.getBucket() == null || d.getBucket().isBlank()) v.add(new SpecViolation(base + "destination.s3.bucket", "is required"));
      if (d.getRegion() == null || d.getRegion().isBlank()) v.add(new SpecViolation(base + "destination.s3.region", "is required"));
      if (d.getCredentialsSecretName() == null || d.getCredentialsSecretName().isBlank()) {
        v.add(new SpecViolation(base + "destination.s3.credentialsSecretName", "is required"));
      }
      if (d.getEndpoint() != null && !d.getEndpoint().isBlank() && !d.getEndpoint().matches("^https?://[^\\s/]+.*$")) {
        v.add(new SpecViolation(base + "destination.s3.endpoint", "must be an http(s) URL, was '" + d.getEndpoint() + "'"));
      }
    }
  }

  private static void validateVersion(String version, List<SpecViolation> v) {
    if (version == null || version.isBlank()) {
      v.add(new SpecViolation("spec.version", "is required (e.g. 3.5.16)"));
      return;
    }
    EtcdVersion parsed;
    try {
      parsed = EtcdVersion.parse(version);
    } catch (IllegalArgumentException e) {
      v.add(new SpecViolation("spec.version", "must be MAJOR.MINOR.PATCH (e.g. 3.5.16), was '" + version + "'"));
      return;
    }
    String minor = parsed.major() + "." + parsed.minor();
    if (!SUPPORTED_MINORS.contains(minor)) {
      v.add(new SpecViolation("spec.version", "etcd " + minor + " is not supported; supported: 3.4, 3.5, 3.6, 3.7"));
    }
  }

  private static void validateSize(String size, List<SpecViolation> v) {
    try {
      BigDecimal bytes = Quantity.getAmountInBytes(new Quantity(size));
      if (bytes.signum() <= 0) {
        v.add(new SpecViolation("spec.storage.size", "must be positive, was '" + size + "'"));
      }
    } catch (RuntimeException e) {
      v.add(new SpecViolation("spec.storage.size", "must be a quantity such as 8Gi, was '" + size + "'"));
    }
  }

  private static void validateTls(io.etcdpilot.operator.api.v1alpha1.TlsSpec t, List<SpecViolation> v) {
    java.util.Map<String, String> durations = new java.util.LinkedHashMap<>();
    durations.put("spec.tls.caValidity", t.getCaValidity());
    durations.put("spec.tls.caRenewBefore", t.getCaRenewBefore());
    durations.put("spec.tls.certificateValidity", t.getCertificateValidity());
    durations.put("spec.tls.certificateRenewBefore", t.getCertificateRenewBefore());
    boolean parsed = true;
    for (var e : durations.entrySet()) {
      if (e.getValue() == null) continue;
      try {
        java.time.Duration d = io.etcdpilot.operator.model.Durations.parse(e.getValue());
        if (d.compareTo(java.time.Duration.ofMinutes(1)) < 0) {
          v.add(new SpecViolation(e.getKey(), "must be at least 1m, was '" + e.getValue() + "'"));
          parsed = false;
        }
      } catch (IllegalArgumentException ex) {
        v.add(new SpecViolation(e.getKey(), "must be a duration like 8760h or 90m, was '" + e.getValue() + "'"));
        parsed = false;
      }
    }
    if (parsed) {
      java.time.Duration caValidity = t.getCaValidity() == null ? io.etcdpilot.operator.pki.TlsSettings.DEFAULT_CA_VALIDITY
          : io.etcdpilot.operator.model.Durations.parse(t.getCaValidity());
      java.time.Duration leafValidity = t.getCertificateValidity() == null
          ? io.etcdpilot.operator.pki.TlsSettings.DEFAULT_LEAF_VALIDITY
          : io.etcdpilot.operator.model.Durations.parse(t.getCertificateValidity());
      if (t.getCaRenewBefore() != null
          && io.etcdpilot.operator.model.Durations.parse(t.getCaRenewBefore()).compareTo(caValidity) >= 0) {
        v.add(new SpecViolation("spec.tls.caRenewBefore", "must be shorter than caValidity (" + caValidity + ")"));
      }
      if (t.getCertificateRenewBefore() != null
          && io.etcdpilot.operator.model.Durations.parse(t.getCertificateRenewBefore()).compareTo(leafValidity) >= 0) {
        v.add(new SpecViolation("spec.tls.certificateRenewBefore",
            "must be shorter than certificateValidity (" + leafValidity + ")"));
      }
      if (leafValidity.compareTo(caValidity) > 0) {
        v.add(new SpecViolation("spec.tls.certificateValidity", "must not exceed caValidity (" + caValidity + ")"));
      }
    }
    if (t.getCaSecretName() != null && !t.getCaSecretName().isBlank()
        && !t.getCaSecretName().matches("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")) {
      v.add(new SpecViolation("spec.tls.caSecretName", "must be a Secret name, was '" + t.getCaSecretName() + "'"));
    }
  }

  private static void validateOptions(EtcdOptions o, List<SpecViolation> v) {
    if (o.getQuotaBackendBytes() != null && (o.getQuotaBackendBytes() < 0 || o.getQuotaBackendBytes() > MAX_QUOTA_BYTES)) {
      v.add(new SpecViolation("spec.etcd.quotaBackendBytes", "must be between 0 and 8589934592 (8 GiB), was "
          + o.getQuotaBackendBytes()));
    }
    if (o.getAutoCompactionRetention() != null && !DURATION.matcher(o.getAutoCompactionRetention()).matches()) {
      v.add(new SpecViolation("spec.etcd.autoCompactionRetention",
          "must be a duration like 1h or 30m, or a revision count, was '" + o.getAutoCompactionRetention() + "'"));
    }
    if (o.getAutoCompactionMode() == EtcdOptions.AutoCompactionMode.revision && o.getAutoCompactionRetention() != null
        && !o.getAutoCompactionRetention().matches("^[0-9]+$")) {
      v.add(new SpecViolation("spec.etcd.autoCompactionRetention",
          "must be a revision count when autoCompactionMode is revision, was '" + o.getAutoCompactionRetention() + "'"));
    }
    if (o.getSnapshotCount() != null && o.getSnapshotCount() < 1) {
      v.add(new SpecViolation("spec.etcd.snapshotCount", "must be at least 1, was " + o.getSnapshotCount()));
    }
    Integer hb = o.getHeartbeatIntervalMillis();
    Integer et = o.getElectionTimeoutMillis();
    if (hb != null && (hb < 10 || hb > 5000)) {
      v.add(new SpecViolation("spec.etcd.heartbeatIntervalMillis", "must be between 10 and 5000, was " + hb));
    }
    if (et != null && (et < 50 || et > 50000)) {
      v.add(new SpecViolation("spec.etcd.electionTimeoutMillis", "must be between 50 and 50000, was " + et));
    }
    int effectiveHb = hb == null ? 100 : hb;
    int effectiveEt = et == null ? 1000 : et;
    if ((hb != null || et != null) && effectiveEt < 5 * effectiveHb) {
      v.add(new SpecViolation("spec.etcd.electionTimeoutMillis", "must be at least 5x heartbeatIntervalMillis ("
          + effectiveHb + " ms), was " + effectiveEt));
    }
  }
}
