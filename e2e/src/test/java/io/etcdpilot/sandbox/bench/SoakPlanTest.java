package io.etcdpilot.sandbox.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SoakPlanTest {
  static List<SoakPlan.Step> draw(long seed, int n) {
    SoakPlan plan = new SoakPlan(seed);
    List<SoakPlan.Step> steps = new ArrayList<>();
    for (int i = 0; i < n; i++) steps.add(plan.next());
    return steps;
  }

  @Test
  void theSameSeedGivesTheSameSteps() {
    assertThat(draw(1, 200)).isEqualTo(draw(1, 200));
    assertThat(draw(1, 50)).isNotEqualTo(draw(2, 50));
  }

  @Test
  void everyStepCanBeTakenWhereItIsDrawn() {
    SoakPlan plan = new SoakPlan(7);
    int replicas = 3;
    boolean upgraded = false;
    boolean snapshot = false;
    Set<SoakPlan.Action> seen = EnumSet.noneOf(SoakPlan.Action.class);
    for (int i = 0; i < 2000; i++) {
      SoakPlan.Step s = plan.next();
      seen.add(s.action());
      assertThat(s.member()).isBetween(0, replicas - 1);
      switch (s.action()) {
        case scale_out -> { assertThat(replicas).isEqualTo(3); replicas = 5; }
        case scale_in -> { assertThat(replicas).isEqualTo(5); replicas = 3; }
        case upgrade -> { assertThat(upgraded).isFalse(); upgraded = true; }
        case downgrade -> { assertThat(upgraded).isTrue(); upgraded = false; }
        case snapshot -> snapshot = true;
        case restore -> assertThat(snapshot).as("a snapshot to restore").isTrue();
        default -> { }
      }
      assertThat(plan.replicas()).isEqualTo(replicas);
    }
    assertThat(seen).as("every fault and operation comes up").isEqualTo(EnumSet.allOf(SoakPlan.Action.class));
  }
}
