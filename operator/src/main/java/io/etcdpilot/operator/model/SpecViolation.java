package io.etcdpilot.operator.model;

/** One broken rule, naming the field in the same path syntax kubectl explain uses. */
public record SpecViolation(String field, String message) {
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
