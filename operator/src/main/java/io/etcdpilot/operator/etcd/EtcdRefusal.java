package io.etcdpilot.operator.etcd;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;

/**
 * The answers etcd gives to a membership or leadership change that mean "not now": the cluster is settling, a learner
 * has not caught up, a member is briefly unreachable. A step that gets one waits and is tried again; any other
 * failure (an API error, a bug) fails the pass so that it is retried with back-off and shown in status.
 */
public final class EtcdRefusal {
  private static final List<String> NOT_NOW = List.of(
      "unhealthy cluster",                       // a change within 5 s of a member (re)starting
      "not enough started members",
      "in sync with leader", "not in sync",      // learner not caught up
      "too many learner members",
      "leader changed", "no leader", "request timed out", "timed out",
      "not leader", "stopped", "member not found");

  private EtcdRefusal() {}

  public static boolean isNotNow(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED
            || code == Status.Code.FAILED_PRECONDITION) {
          return true;
        }
        String message = String.valueOf(e.getStatus().getDescription());
        if (NOT_NOW.stream().anyMatch(message::contains)) return true;
      }
    }
    return false;
  }

  /** etcd's own words, for status and the log. */
  public static String message(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof StatusRuntimeException e) {
        return e.getStatus().getCode() + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription());
      }
    }
    return String.valueOf(t.getMessage());
  }
}
