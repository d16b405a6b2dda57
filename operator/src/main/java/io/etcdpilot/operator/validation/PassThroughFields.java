package io.etcdpilot.operator.validation;

import io.etcdpilot.operator.api.v1alpha1.EtcdClusterSpec;
import io.etcdpilot.operator.api.v1alpha1.PodTemplateSpec;
import io.etcdpilot.operator.api.v1alpha1.SchedulingSpec;
import io.etcdpilot.operator.model.SpecViolation;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The fields the spec passes through to member pods (labels, annotations, resources, scheduling), checked the way the
 * API server would check the StatefulSet, so that a bad value is refused here naming the spec's own field instead of
 * failing every write of the StatefulSet. Keys under etcdpilot.io are the operator's own and refused.
 */
final class PassThroughFields {
  /** The operator's label and annotation domain: members are told apart, counted and trusted by these. */
  static final String RESERVED_DOMAIN = "etcdpilot.io";
  private static final Pattern NAME = Pattern.compile("^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$");
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  private static final Set<String> TOLERATION_OPERATORS = Set.of("Exists", "Equal");
  private static final Set<String> TAINT_EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");
  private static final int MAX_ANNOTATIONS_BYTES = 256 * 1024;

  private PassThroughFields() {}

  static void validate(EtcdClusterSpec spec, List<SpecViolation> v) {
    PodTemplateSpec.Metadata meta = spec.getPodTemplate() == null ? null : spec.getPodTemplate().getMetadata();
    if (meta != null) {
      labels("spec.podTemplate.metadata.labels", meta.getLabels(), true, v);
      annotations("spec.podTemplate.metadata.annotations", meta.getAnnotations(), v);
    }
    if (spec.getResources() != null) resources("spec.resources", spec.getResources(), v);
    if (spec.getScheduling() != null) scheduling(spec.getScheduling(), v);
  }

  /** @param ours labels the operator puts on its own objects, where its domain is reserved (not a node's labels) */
  static void labels(String field, Map<String, String> labels, boolean ours, List<SpecViolation> v) {
    if (labels == null) return;
    labels.forEach((key, value) -> {
      String f = field + "[" + key + "]";
      keyRules(f, key, ours, v);
      if (value != null && !value.isEmpty() && (value.length() > 63 || !NAME.matcher(value).matches())) {
        v.add(new SpecViolation(f, "invalid label value '" + value + "': at most 63 characters, alphanumerics, '-', '_'"
            + " or '.', starting and ending with an alphanumeric"));
      }
    });
  }

  private static void annotations(String field, Map<String, String> annotations, List<SpecViolation> v) {
    if (annotations == null) return;
    long bytes = 0;
    for (Map.Entry<String, String> e : annotations.entrySet()) {
      keyRules(field + "[" + e.getKey() + "]", e.getKey(), true, v);
      bytes += e.getKey().length() + (e.getValue() == null ? 0 : e.getValue().length());
    }
    if (bytes > MAX_ANNOTATIONS_BYTES) v.add(new SpecViolation(field, "may hold at most 256 KiB, holds " + bytes + " bytes"));
  }

  /** A qualified name ({@code [prefix/]name}); with {@code ours}, outside the operator's own domain. */
  private static void keyRules(String field, String key, boolean ours, List<SpecViolation> v) {
    int slash = key.indexOf('/');
    String prefix = slash < 0 ? null : key.substring(0, slash);
    String name = slash < 0 ? key : key.substring(slash + 1);
    if (name.isEmpty() || name.length() > 63 || !NAME.matcher(name).matches()
        || (prefix != null && (prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()))) {
      v.add(new SpecViolation(field, "invalid key '" + key + "': an optional DNS subdomain prefix and '/', then at most"
          + " 63 alphanumerics, '-', '_' or '.'"));
    } else if (ours && prefix != null && (prefix.equals(RESERVED_DOMAIN) || prefix.endsWith("." + RESERVED_DOMAIN))) {
      v.add(new SpecViolation(field, "'" + key + "' is under " + RESERVED_DOMAIN + ", which etcdpilot keeps for itself"
          + " (it tells members apart by those keys)"));
    }
  }

  private static void resources(String field, ResourceRequirements r, List<SpecViolation> v) {
    quantities(field + ".requests", r.getRequests(), v);
    quantities(field + ".limits", r.getLimits(), v);
    if (r.getRequests() == null || r.getLimits() == null) return;
    r.getRequests().forEach((name, request) -> {
      Quantity limit = r.getLimits().get(name);
      BigDecimal req = amount(request);
      BigDecimal lim = limit == null ? null : amount(limit);
      if (req != null && lim != null && req.compareTo(lim) > 0) {
        v.add(new SpecViolation(field + ".requests." + name, "must not exceed its limit " + limit + ", was " + request));
      }
    });
  }

  private static void quantities(String field, Map<String, Quantity> q, List<SpecViolation> v) {
    if (q == null) return;
    q.forEach((name, value) -> {
      BigDecimal amount = amount(value);
      if (amount == null) v.add(new SpecViolation(field + "." + name, "is not a quantity: '" + value + "'"));
      else if (amount.signum() < 0) v.add(new SpecViolation(field + "." + name, "must not be negative, was " + value));
    });
  }

  private static BigDecimal amount(Quantity q) {
    try {
      return q == null ? null : q.getNumericalAmount();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static void scheduling(SchedulingSpec s, List<SpecViolation> v) {
    labels("spec.scheduling.nodeSelector", s.getNodeSelector(), false, v);
    List<Toleration> tolerations = s.getTolerations() == null ? List.of() : s.getTolerations();
    for (int i = 0; i < tolerations.size(); i++) {
      Toleration t = tolerations.get(i);
      String f = "spec.scheduling.tolerations[" + i + "]";
      if (t.getOperator() != null && !TOLERATION_OPERATORS.contains(t.getOperator())) {
        v.add(new SpecViolation(f + ".operator", "must be Exists or Equal, was '" + t.getOperator() + "'"));
      }
      if (t.getEffect() != null && !t.getEffect().isEmpty() && !TAINT_EFFECTS.contains(t.getEffect())) {
        v.add(new SpecViolation(f + ".effect", "must be NoSchedule, PreferNoSchedule or NoExecute, was '"
            + t.getEffect() + "'"));
      }
      if ("Exists".equals(t.getOperator()) && t.getValue() != null && !t.getValue().isEmpty()) {
        v.add(new SpecViolation(f + ".value", "must be empty with operator Exists"));
      }
    }
    if (s.getPriorityClassName() != null && !s.getPriorityClassName().isEmpty()
        && (s.getPriorityClassName().length() > 253 || !DNS_SUBDOMAIN.matcher(s.getPriorityClassName()).matches())) {
      v.add(new SpecViolation("spec.scheduling.priorityClassName", "must be a DNS subdomain, was '"
          + s.getPriorityClassName() + "'"));
    }
  }
}
