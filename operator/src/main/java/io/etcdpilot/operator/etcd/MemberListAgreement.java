package io.etcdpilot.operator.etcd;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Which member list to decide from when lists are not linearizable: one that every member answering gave, and that a
 * majority of its own voters gave. Two lists at once mean a change is still being applied somewhere: wait for it (a
 * lagging member catches up within moments). Pure.
 */
public final class MemberListAgreement {
  private MemberListAgreement() {}

  /**
   * @param answers the lists the members gave, one per member that answered
   * @param signature what makes two lists the same (the members' IDs and learner flags)
   * @param voters how many voters a list names
   * @return the list every answer agrees on, when a majority of its voters gave it; empty otherwise
   */
  public static <T> Optional<T> majority(List<T> answers, Function<T, String> signature, ToIntFunction<T> voters) {
    Map<String, List<T>> bySignature = new LinkedHashMap<>();
    for (T a : answers) bySignature.computeIfAbsent(signature.apply(a), k -> new ArrayList<>()).add(a);
    if (bySignature.size() != 1) return Optional.empty();
    List<T> same = bySignature.values().iterator().next();
    return same.size() * 2 > voters.applyAsInt(same.get(0)) ? Optional.of(same.get(0)) : Optional.empty();
  }
}
