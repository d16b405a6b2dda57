package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** A member that could not be added; adding stays stopped until the spec changes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MemberFailure {
  @JsonPropertyDescription("The member (pod) that failed to join.")
  private String member;
  @JsonPropertyDescription("Why it was given up, including what its pod reported.")
  private String message;
  @JsonPropertyDescription("When it was removed.")
  private String time;
  @JsonPropertyDescription("metadata.generation when it failed: a new generation retries.")
  private Long generation;

  public MemberFailure() {}

  public MemberFailure(String member, String message, String time, Long generation) {
    this.member = member; this.message = message; this.time = time; this.generation = generation;
  }

  public String getMember() { return member; }
  public void setMember(String member) { this.member = member; }
  public String getMessage() { return message; }
  public void setMessage(String message) { this.message = message; }
  public String getTime() { return time; }
  public void setTime(String time) { this.time = time; }
  public Long getGeneration() { return generation; }
  public void setGeneration(Long generation) { this.generation = generation; }

  @Override
  public boolean equals(Object o) {
    return o instanceof MemberFailure f && Objects.equals(member, f.member) && Objects.equals(message, f.message)
        && Objects.equals(time, f.time) && Objects.equals(generation, f.generation);
  }

  @Override
  public int hashCode() { return Objects.hash(member, message, time, generation); }
}
