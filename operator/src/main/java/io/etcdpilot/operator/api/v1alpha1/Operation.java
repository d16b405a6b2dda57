package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/** The disruptive step in flight. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Operation {
  private String type;
  private String target;
  private String started;
  private String message;

  public Operation() {}

  public Operation(String type, String target, String started, String message) {
    this.type = type; this.target = target; this.started = started; this.message = message;
  }

  public String getType() { return type; }
  public void setType(String type) { this.type = type; }
  public String getTarget() { return target; }
  public void setTarget(String target) { this.target = target; }
  public String getStarted() { return started; }
  public void setStarted(String started) { this.started = started; }
  public String getMessage() { return message; }
  public void setMessage(String message) { this.message = message; }

  @Override
  public boolean equals(Object o) {
    return o instanceof Operation p && Objects.equals(type, p.type) && Objects.equals(target, p.target)
        && Objects.equals(started, p.started) && Objects.equals(message, p.message);
  }

  @Override
  public int hashCode() { return Objects.hash(type, target, started, message); }
}
