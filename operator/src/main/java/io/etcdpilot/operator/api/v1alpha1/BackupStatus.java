package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Restore drills: the last one, and the last snapshot a drill proved restorable. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupStatus {
  public enum Result { Running, Passed, Failed }

  @JsonPropertyDescription("The EtcdSnapshot the last drill restored.")
  private String drillSnapshot;
  @JsonPropertyDescription("When the last drill started.")
  private String drillStarted;
  @JsonPropertyDescription("When the last drill finished.")
  private String drillFinished;
  @JsonPropertyDescription("Running, Passed or Failed.")
  private Result drillResult;
  @JsonPropertyDescription("What the last drill found.")
  private String drillMessage;
  @JsonPropertyDescription("The newest snapshot a drill restored and found whole; quorum recovery without a survivor"
      + " prefers it.")
  private String lastPassedSnapshot;
  @JsonPropertyDescription("When that drill passed.")
  private String lastPassedTime;
  @JsonPropertyDescription("When the next drill is due.")
  private String nextDrillTime;

  public BackupStatus() {}

  public BackupStatus(BackupStatus o) {
    if (o == null) return;
    drillSnapshot = o.drillSnapshot;
    drillStarted = o.drillStarted;
    drillFinished = o.drillFinished;
    drillResult = o.drillResult;
    drillMessage = o.drillMessage;
    lastPassedSnapshot = o.lastPassedSnapshot;
    lastPassedTime = o.lastPassedTime;
    nextDrillTime = o.nextDrillTime;
  }

  public String getDrillSnapshot() { return drillSnapshot; }
  public void setDrillSnapshot(String drillSnapshot) { this.drillSnapshot = drillSnapshot; }
  public String getDrillStarted() { return drillStarted; }
  public void setDrillStarted(String drillStarted) { this.drillStarted = drillStarted; }
  public String getDrillFinished() { return drillFinished; }
  public void setDrillFinished(String drillFinished) { this.drillFinished = drillFinished; }
  public Result getDrillResult() { return drillResult; }
  public void setDrillResult(Result drillResult) { this.drillResult = drillResult; }
  public String getDrillMessage() { return drillMessage; }
  public void setDrillMessage(String drillMessage) { this.drillMessage = drillMessage; }
  public String getLastPassedSnapshot() { return lastPassedSnapshot; }
  public void setLastPassedSnapshot(String lastPassedSnapshot) { this.lastPassedSnapshot = lastPassedSnapshot; }
  public String getLastPassedTime() { return lastPassedTime; }
  public void setLastPassedTime(String lastPassedTime) { this.lastPassedTime = lastPassedTime; }
  public String getNextDrillTime() { return nextDrillTime; }
  public void setNextDrillTime(String nextDrillTime) { this.nextDrillTime = nextDrillTime; }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof BackupStatus x)) return false;
    return Objects.equals(drillSnapshot, x.drillSnapshot) && Objects.equals(drillStarted, x.drillStarted)
        && Objects.equals(drillFinished, x.drillFinished) && drillResult == x.drillResult
        && Objects.equals(drillMessage, x.drillMessage) && Objects.equals(lastPassedSnapshot, x.lastPassedSnapshot)
        && Objects.equals(lastPassedTime, x.lastPassedTime) && Objects.equals(nextDrillTime, x.nextDrillTime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(drillSnapshot, drillStarted, drillFinished, drillResult, drillMessage, lastPassedSnapshot,
        lastPassedTime, nextDrillTime);
  }
}
