package io.etcdpilot.operator.cluster;

import io.etcdpilot.operator.model.SpecViolation;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;

/** The apply stage's output: the static objects as the API server now holds them. */
sealed interface Applied permits Applied.Written, Applied.Untouched {
  Versioned versioned();

  /** The live StatefulSet (null before it exists). */
  StatefulSet statefulSet();

  /** The live cluster-state ConfigMap (null before it exists). */
  ConfigMap stateConfigMap();

  /** Spec changes not carried out: the version gate's, those the live objects cannot take, writes the API server refused. */
  List<SpecViolation> refused();

  /** The API server refused a write this pass: it is tried again soon, since what refused it may change. */
  boolean writesRefused();

  /**
   * The objects were written where they differed.
   *
   * @param desiredStatefulSet the StatefulSet as this pass wants it (at its live size), or the live one when the API
   *     server refused that; a resize starts from it
   */
  record Written(Versioned versioned, StatefulSet statefulSet, StatefulSet desiredStatefulSet, ConfigMap stateConfigMap,
      List<SpecViolation> refused, boolean writesRefused) implements Applied {}

  /** Paused: nothing was written; the live objects as read. */
  record Untouched(Versioned versioned) implements Applied {
    public StatefulSet statefulSet() {
      return versioned.desired().state().statefulSet();
    }

    public ConfigMap stateConfigMap() {
      return versioned.desired().state().stateConfigMap();
    }

    public List<SpecViolation> refused() {
      return versioned.refused();
    }

    public boolean writesRefused() {
      return false;
    }
  }
}
