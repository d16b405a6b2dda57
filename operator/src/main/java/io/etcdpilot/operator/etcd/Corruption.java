package io.etcdpilot.operator.etcd;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whose data differ, while etcd's CORRUPT alarm is raised. etcd 3.6+ names the member when a majority agrees; etcd
 * 3.5 (and 3.6 without a majority) raises it for member 0, "it isn't clear which". Then the members' own hashes of
 * their key-value stores decide: while CORRUPT is raised etcd takes no writes, so every member answers at the same
 * revision, and the members whose hash differs from a majority's are the corrupt ones.
 *
 * @param corrupt the members whose data differ from the majority's
 * @param decided false when nothing can tell which data is right (no majority, members not answering or at
 *     different revisions): nothing may be replaced or disarmed then
 * @param detail what was compared, for status and Events
 */
public record Corruption(Set<Long> corrupt, boolean decided, String detail) {
  public static final Corruption NONE = new Corruption(Set.of(), true, "");

  /** One member's answer to HashKV at its current revision. */
  public record Hash(long memberId, long revision, long compactRevision, long hash) {}

  /**
   * @param alarms the CORRUPT alarms
   * @param voters the voting members' ids
   * @param hashes the hashes of the members that answered
   */
  public static Corruption judge(List<EtcdAlarm> alarms, Set<Long> voters, List<Hash> hashes) {
    Set<Long> named = alarms.stream().map(EtcdAlarm::memberId).filter(id -> id != 0 && voters.contains(id))
        .collect(Collectors.toSet());
    boolean anonymous = alarms.stream().anyMatch(a -> a.memberId() == 0);
    if (!anonymous) {
      return new Corruption(named, true, named.isEmpty() ? "the member etcd named is no longer a member"
          : "etcd named member(s) " + hex(named));
    }
    if (hashes.size() < voters.size()) {
      return new Corruption(named, false, hashes.size() + " of " + voters.size() + " voters answered with a hash");
    }
    long revision = hashes.get(0).revision();
    long compacted = hashes.get(0).compactRevision();
    if (hashes.stream().anyMatch(h -> h.revision() != revision || h.compactRevision() != compacted)) {
      return new Corruption(named, false, "members answer at different revisions; comparing again");
    }
    Map<Long, Long> votes = new HashMap<>();
    hashes.forEach(h -> votes.merge(h.hash(), 1L, Long::sum));
    var majority = votes.entrySet().stream().filter(e -> e.getValue() * 2 > voters.size()).findFirst();
    if (majority.isEmpty()) {
      return new Corruption(named, false, "no majority of " + voters.size() + " voters has the same data at revision "
          + revision + ": nothing tells which data is right; restore from a snapshot");
    }
    Set<Long> differ = hashes.stream().filter(h -> h.hash() != majority.get().getKey()).map(Hash::memberId)
        .collect(Collectors.toSet());
    differ.addAll(named);
    return new Corruption(differ, true, differ.isEmpty() ? "every member has the same data at revision " + revision
        : "member(s) " + hex(differ) + " differ from the majority's hash at revision " + revision);
  }

  private static String hex(Set<Long> ids) {
    return ids.stream().map(Long::toHexString).sorted().collect(Collectors.joining(", "));
  }
}
