package io.etcdpilot.operator.membership;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code --initial-cluster} a member gets when it starts. etcd reads it only when the data directory is
 * empty, and with {@code existing} it refuses to start unless the list holds its own name and exactly the
 * current membership. So the list is published only while a member is joining (a learner, or a founding
 * member that has never started) and is empty otherwise: a member whose volume was lost then fails fast
 * ("couldn't find local name") instead of silently rejoining under its old identity with its raft term and
 * vote forgotten, and the operator replaces it.
 */
public final class JoinList {
  /** One member as the list names it. {@code joining}: may legitimately start without data now. */
  public record Entry(String name, String peerUrl, boolean joining) {}

  private JoinList() {}

  public static String of(List<Entry> members) {
    if (members.stream().noneMatch(Entry::joining)) return "";
    // Sorted: the same membership always gives the same text, so the ConfigMap is not rewritten needlessly.
    return members.stream().map(e -> e.name() + "=" + e.peerUrl()).sorted().collect(Collectors.joining(","));
  }
}
