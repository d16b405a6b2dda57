package io.etcdpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import java.util.Objects;

/**
 * Volumes that grow by themselves: when live data stays above a share of the quota after defragmentation, the
 * volumes (and the quota derived from them) grow by a step, up to a maximum.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AutoGrowSpec {
  @Min(1)
  @Max(95)
  @JsonPropertyDescription("Percent of the quota live data (dbSizeInUse) must exceed after defragmentation. Default 70.")
  private Integer whenLiveDataAbove;

  @Pattern(StorageSpec.QUANTITY)
  @JsonPropertyDescription("How much each growth adds to spec.storage.size, e.g. 2Gi.")
  private String step;

  @Pattern(StorageSpec.QUANTITY)
  @JsonPropertyDescription("The size volumes never grow past, e.g. 16Gi.")
  private String maxSize;

  public Integer getWhenLiveDataAbove() { return whenLiveDataAbove; }
  public void setWhenLiveDataAbove(Integer whenLiveDataAbove) { this.whenLiveDataAbove = whenLiveDataAbove; }
  public String getStep() { return step; }
  public void setStep(String step) { this.step = step; }
  public String getMaxSize() { return maxSize; }
  public void setMaxSize(String maxSize) { this.maxSize = maxSize; }

  @Override
  public boolean equals(Object o) {
    return o instanceof AutoGrowSpec x && Objects.equals(whenLiveDataAbove, x.whenLiveDataAbove)
        && Objects.equals(step, x.step) && Objects.equals(maxSize, x.maxSize);
  }

  @Override
  public int hashCode() { return Objects.hash(whenLiveDataAbove, step, maxSize); }
}
