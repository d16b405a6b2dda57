package io.etcdpilot.operator.snapshot;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Where the operator's pod may send snapshots (and read restores) from: a destination names an endpoint the operator
 * then connects to with a Secret's credentials, so whoever writes a destination could otherwise make the operator
 * send data in plain text, or reach link-local metadata services, loopback or cluster-internal services and read their
 * answers back from {@code status}. Those are refused unless the operator's own setting allows them (the sandbox's
 * store, on loopback over http, needs {@code http,loopback}).
 */
public final class EndpointPolicy {
  /** What an operator may allow: words of the setting, as written there. */
  public enum Allow {
    HTTP("http"), LOOPBACK("loopback"), LINK_LOCAL("link-local"), CLUSTER_INTERNAL("cluster-internal");

    final String word;

    Allow(String word) {
      this.word = word;
    }
  }

  /** The default: https to addresses outside the cluster only. */
  public static final EndpointPolicy STRICT = new EndpointPolicy(EnumSet.noneOf(Allow.class), "cluster.local");
  private static final Pattern IPV4 = Pattern.compile("^[0-9]{1,3}(\\.[0-9]{1,3}){3}$");

  private final Set<Allow> allowed;
  private final String clusterDomain;

  public EndpointPolicy(Set<Allow> allowed, String clusterDomain) {
    this.allowed = allowed.isEmpty() ? EnumSet.noneOf(Allow.class) : EnumSet.copyOf(allowed);
    this.clusterDomain = clusterDomain.toLowerCase(Locale.ROOT);
  }

  /**
   * The setting's value: a list of http, loopback, link-local, cluster-internal, separated by commas or spaces (empty:
   * none).
   *
   * @throws IllegalArgumentException naming the word not understood
   */
  public static EndpointPolicy parse(String list, String clusterDomain) {
    Set<Allow> allowed = EnumSet.noneOf(Allow.class);
    for (String w : list == null ? new String[0] : list.split("[,\\s]+")) {
      String word = w.trim().toLowerCase(Locale.ROOT);
      if (word.isEmpty()) continue;
      allowed.add(Arrays.stream(Allow.values()).filter(a -> a.word.equals(word)).findFirst().orElseThrow(() ->
          new IllegalArgumentException("unknown word '" + word + "': use a comma-separated list of "
              + Arrays.stream(Allow.values()).map(a -> a.word).collect(Collectors.joining(", ")))));
    }
    return new EndpointPolicy(allowed, clusterDomain);
  }

  public String describe() {
    return allowed.isEmpty() ? "https outside the cluster only"
        : "also " + allowed.stream().map(a -> a.word).collect(Collectors.joining(", "));
  }

  /** Why the endpoint is refused, from its text alone (scheme, an address literal, a cluster-internal name). */
  public Optional<String> refusal(String endpoint) {
    return refusal(endpoint, host -> new InetAddress[0]);
  }

  /** As {@link #refusal(String)}, and also by every address the name resolves to now. */
  public Optional<String> refusalAfterLookup(String endpoint) {
    return refusal(endpoint, host -> {
      try {
        return InetAddress.getAllByName(host);
      } catch (UnknownHostException e) {
        return new InetAddress[0]; // the connection will fail and say so
      }
    });
  }

  Optional<String> refusal(String endpoint, Function<String, InetAddress[]> lookup) {
    if (endpoint == null || endpoint.isBlank()) return Optional.empty(); // the provider's own endpoint for the region
    URI uri;
    try {
      uri = URI.create(endpoint.trim());
    } catch (IllegalArgumentException e) {
      return Optional.of("is not a URL: '" + endpoint + "'");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) return Optional.of("must be an https:// URL, was '" + endpoint + "'");
    if (uri.getHost() == null) return Optional.of("names no host: '" + endpoint + "'");
    if (uri.getUserInfo() != null) return Optional.of("must not carry credentials in the URL");
    if (scheme.equals("http") && !allowed.contains(Allow.HTTP)) {
      return Optional.of("plain http:// would send the data and the access key unencrypted; use https:// (the operator"
          + " allows http only when its setting says so)");
    }
    String host = uri.getHost().toLowerCase(Locale.ROOT).replaceAll("^\\[|\\]$", "");
    Optional<String> byName = byName(host);
    if (byName.isPresent()) return byName;
    for (InetAddress a : literalOrLookup(host, lookup)) {
      Optional<String> r = byAddress(a, host);
      if (r.isPresent()) return r;
    }
    return Optional.empty();
  }

  private Optional<String> byName(String host) {
    boolean literal = IPV4.matcher(host).matches() || host.contains(":");
    if (literal) return Optional.empty();
    if ((host.equals("localhost") || host.endsWith(".localhost")) && !allowed.contains(Allow.LOOPBACK)) {
      return Optional.of("'" + host + "' is this machine (loopback): refused");
    }
    boolean internal = !host.contains(".") || host.endsWith(".svc") || host.contains(".svc.")
        || host.equals(clusterDomain) || host.endsWith("." + clusterDomain) || host.endsWith(".cluster.local");
    if (internal && !allowed.contains(Allow.CLUSTER_INTERNAL)) {
      return Optional.of("'" + host + "' is a cluster-internal name: refused (the operator allows such endpoints only"
          + " when its setting says so)");
    }
    return Optional.empty();
  }

  private Optional<String> byAddress(InetAddress a, String host) {
    String shown = host.equals(a.getHostAddress()) ? host : host + " (" + a.getHostAddress() + ")";
    if ((a.isLoopbackAddress() || a.isAnyLocalAddress()) && !allowed.contains(Allow.LOOPBACK)) {
      return Optional.of(shown + " is a loopback address: refused");
    }
    if (a.isLinkLocalAddress() && !allowed.contains(Allow.LINK_LOCAL)) {
      return Optional.of(shown + " is link-local (where cloud metadata services answer): refused");
    }
    return Optional.empty();
  }

  private static InetAddress[] literalOrLookup(String host, Function<String, InetAddress[]> lookup) {
    boolean literal = IPV4.matcher(host).matches() || host.contains(":");
    if (!literal) return lookup.apply(host);
    try {
      return new InetAddress[] {InetAddress.getByName(host)}; // a literal: no lookup happens
    } catch (UnknownHostException e) {
      return new InetAddress[0];
    }
  }
}
