package io.etcdpilot.sandbox.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The soak's steps, drawn from a seeded random stream: the same seed gives the same steps, so a failing run can be
 * replayed. It keeps the little state the draw depends on (the cluster's size and version), so a step is always one
 * that can be taken: no scale-in below three members, a downgrade only after an upgrade, a snapshot before a restore.
 * Pure.
 */
public final class SoakPlan {
  /** Faults the cluster meets, and operations people do to it. */
  public enum Action {
    crash(true), freeze(true), partition(true), slow_disk(true), wipe(true), corrupt(true), leader_kill(true),
    operator_kill(true), node_drain(true),
    scale_out(false), scale_in(false), upgrade(false), downgrade(false), snapshot(false), restore(false),
    cert_renewal(false), defrag(false);

    public final boolean fault;

    Action(boolean fault) {
      this.fault = fault;
    }

    public String label() {
      return name().replace('_', '-');
    }
  }

  /**
   * @param member the member it is done to (an ordinal below the cluster's size), when it is done to one
   * @param holdSeconds how long a fault that is undone (partition, freeze, slow disk, drain) lasts
   */
  public record Step(int index, Action action, int member, int holdSeconds) {}

  private final Random random;
  private int replicas = 3;
  private boolean upgraded;
  private boolean snapshotTaken;
  private int index;

  public SoakPlan(long seed) {
    this.random = new Random(seed);
  }

  public Step next() {
    List<Action> possible = new ArrayList<>();
    for (Action a : Action.values()) {
      if (a == Action.scale_out && replicas >= 5) continue;
      if (a == Action.scale_in && replicas <= 3) continue;
      if (a == Action.upgrade && upgraded) continue;
      if (a == Action.downgrade && !upgraded) continue;
      if (a == Action.restore && !snapshotTaken) continue;
      possible.add(a);
      // Faults come about twice as often as operations: the point is how operations fare under them, and alone.
      if (a.fault) possible.add(a);
    }
    Action action = possible.get(random.nextInt(possible.size()));
    int member = random.nextInt(replicas);
    int hold = 10 + random.nextInt(30);
    switch (action) {
      case scale_out -> replicas = 5;
      case scale_in -> replicas = 3;
      case upgrade -> upgraded = true;
      case downgrade -> upgraded = false;
      case snapshot -> snapshotTaken = true;
      default -> { }
    }
    return new Step(++index, action, member, hold);
  }

  public int replicas() {
    return replicas;
  }
}
