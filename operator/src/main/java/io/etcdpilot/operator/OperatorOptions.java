package io.etcdpilot.operator;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** Command-line and environment options of the operator process. Flags win over environment variables. */
public record OperatorOptions(
    String kubeconfig,
    Set<String> namespaces,
    String clusterDomain,
    int healthPort,
    boolean leaderElection,
    String leaderElectionNamespace,
    java.time.Duration learnerDeadline,
    java.time.Duration failedMemberDeadline,
    Map<String, String> upgradeMinimums,
    java.time.Duration upgradeProgressDeadline,
    String agentImage,
    String logFormat,
    String healthAddress,
    String snapshotEndpoints) {

  public OperatorOptions(String kubeconfig, Set<String> namespaces, String clusterDomain, int healthPort,
      boolean leaderElection, String leaderElectionNamespace, java.time.Duration learnerDeadline,
      java.time.Duration failedMemberDeadline) {
    this(kubeconfig, namespaces, clusterDomain, healthPort, leaderElection, leaderElectionNamespace, learnerDeadline,
        failedMemberDeadline, Map.of(), java.time.Duration.ofMinutes(10),
        io.etcdpilot.operator.cluster.OperatorSettings.DEFAULT_AGENT_IMAGE, "text", "", "");
  }

  public static final String USAGE = """
      usage: etcdpilot-operator [options]
        --kubeconfig PATH                 kubeconfig to use (default: in-cluster, then $KUBECONFIG, then ~/.kube/config)
        --namespaces a,b                  namespaces to watch (default: all; env WATCH_NAMESPACES)
        --cluster-domain DOMAIN           cluster DNS domain (default: cluster.local; env CLUSTER_DOMAIN)
        --health-port PORT                port of /healthz, /readyz and /metrics, 0 to disable (default: 8081)
        --health-address ADDRESS          serve them on this address and on loopback (the chart passes the pod's
                                          address; default: every address; env HEALTH_ADDRESS)
        --leader-election true|false      take a Lease before reconciling (default: true)
        --leader-election-namespace NS    namespace of the Lease (default: env POD_NAMESPACE, else default)
        --learner-deadline DURATION       a new member not caught up by then is removed (default: 5m; env LEARNER_DEADLINE)
        --failed-member-deadline DURATION a member unreachable that long is replaced (default: 10m; env FAILED_MEMBER_DEADLINE)
        --upgrade-minimum MINOR=VERSION   overrides the lowest patch of MINOR allowed to upgrade to the next minor
                                          (defaults from etcd's upgrade guides: 3.5=3.5.32, 3.6=3.6.11); repeatable
        --upgrade-progress-deadline DURATION a member not healthy on a new version by then stops the roll
                                          (Stalled=UpgradeStuck; default: 10m; env UPGRADE_PROGRESS_DEADLINE)
        --agent-image IMAGE               the operator's own image, run as the restore steps of a cluster created
                                          from a snapshot (env ETCDPILOT_IMAGE; the chart sets it)
        --log-format text|json            one line per event, for people or for log pipelines (default: text;
                                          env LOG_FORMAT); a reconcile's lines carry its namespace and cluster
        --snapshot-endpoints-allow LIST   snapshot store endpoints allowed besides https outside the cluster: any of
                                          http, loopback, link-local, cluster-internal (default: none;
                                          env SNAPSHOT_ENDPOINTS_ALLOW)
      """;

  public static OperatorOptions parse(String[] args, Map<String, String> env) {
    String kubeconfig = null;
    String namespaces = env.getOrDefault("WATCH_NAMESPACES", "");
    String domain = env.getOrDefault("CLUSTER_DOMAIN", "cluster.local");
    int healthPort = 8081;
    boolean leaderElection = true;
    String leNamespace = env.getOrDefault("POD_NAMESPACE", "default");
    String learnerDeadline = env.getOrDefault("LEARNER_DEADLINE", "5m");
    String failedMemberDeadline = env.getOrDefault("FAILED_MEMBER_DEADLINE", "10m");
    String upgradeDeadline = env.getOrDefault("UPGRADE_PROGRESS_DEADLINE", "10m");
    String agentImage = env.getOrDefault("ETCDPILOT_IMAGE", io.etcdpilot.operator.cluster.OperatorSettings.DEFAULT_AGENT_IMAGE);
    String logFormat = env.getOrDefault("LOG_FORMAT", "text");
    String healthAddress = env.getOrDefault("HEALTH_ADDRESS", "");
    String snapshotEndpoints = env.getOrDefault("SNAPSHOT_ENDPOINTS_ALLOW", "");
    Map<String, String> minimums = new java.util.LinkedHashMap<>();
    java.util.List<String> expanded = new java.util.ArrayList<>();
    for (String arg : args) {
      // --flag=value and --flag value are both accepted.
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        expanded.add(arg.substring(0, eq));
        expanded.add(arg.substring(eq + 1));
      } else {
        expanded.add(arg);
      }
    }
    args = expanded.toArray(String[]::new);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--kubeconfig" -> { kubeconfig = require(a, value); i++; }
        case "--namespaces" -> { namespaces = require(a, value); i++; }
        case "--cluster-domain" -> { domain = require(a, value); i++; }
        case "--health-port" -> { healthPort = Integer.parseInt(require(a, value)); i++; }
        case "--leader-election" -> { leaderElection = Boolean.parseBoolean(require(a, value)); i++; }
        case "--leader-election-namespace" -> { leNamespace = require(a, value); i++; }
        case "--learner-deadline" -> { learnerDeadline = require(a, value); i++; }
        case "--failed-member-deadline" -> { failedMemberDeadline = require(a, value); i++; }
        case "--agent-image" -> { agentImage = require(a, value); i++; }
        case "--upgrade-progress-deadline" -> { upgradeDeadline = require(a, value); i++; }
        case "--upgrade-minimum" -> { minimum(minimums, require(a, value)); i++; }
        case "--log-format" -> { logFormat = require(a, value); i++; }
        case "--health-address" -> { healthAddress = require(a, value); i++; }
        case "--snapshot-endpoints-allow" -> { snapshotEndpoints = require(a, value); i++; }
        case "-h", "--help" -> throw new IllegalArgumentException(USAGE);
        default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
      }
    }
    Set<String> ns = new LinkedHashSet<>();
    Arrays.stream(namespaces.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(ns::add);
    return new OperatorOptions(kubeconfig, ns, domain, healthPort, leaderElection, leNamespace,
        duration("--learner-deadline", learnerDeadline), duration("--failed-member-deadline", failedMemberDeadline),
        Map.copyOf(minimums), duration("--upgrade-progress-deadline", upgradeDeadline), agentImage,
        io.etcdpilot.operator.logging.LogFormat.of(logFormat).name().toLowerCase(java.util.Locale.ROOT),
        address("--health-address", healthAddress), endpoints("--snapshot-endpoints-allow", snapshotEndpoints, domain));
  }

  /** Checked now, so that a typo stops the operator at start rather than refusing every snapshot. */
  private static String endpoints(String flag, String value, String domain) {
    try {
      io.etcdpilot.operator.snapshot.EndpointPolicy.parse(value, domain);
      return value.trim();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(flag + ": " + e.getMessage() + "\n" + USAGE);
    }
  }

  /** An IP literal (no name: a lookup at start could hang or pick another interface), or empty for every address. */
  private static String address(String flag, String value) {
    String v = value.trim();
    if (v.isEmpty()) return "";
    if (!v.matches("[0-9.]+|[0-9a-fA-F:]+") || !v.contains(".") && !v.contains(":")) {
      throw new IllegalArgumentException(flag + ": expected an IP address, got '" + value + "'\n" + USAGE);
    }
    try {
      return java.net.InetAddress.getByName(v).getHostAddress();
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(flag + ": expected an IP address, got '" + value + "'\n" + USAGE);
    }
  }

  private static void minimum(Map<String, String> minimums, String value) {
    int eq = value.indexOf('=');
    if (eq <= 0) throw new IllegalArgumentException("--upgrade-minimum: expected MINOR=VERSION, e.g. 3.5=3.5.26, got '"
        + value + "'\n" + USAGE);
    try {
      // Checked now, so a typo stops the operator at start instead of at the first upgrade.
      io.etcdpilot.operator.upgrade.UpgradeMinimums.withOverrides(Map.of(value.substring(0, eq), value.substring(eq + 1)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--upgrade-minimum: " + e.getMessage() + "\n" + USAGE);
    }
    minimums.put(value.substring(0, eq), value.substring(eq + 1));
  }

  private static java.time.Duration duration(String flag, String value) {
    try {
      java.time.Duration d = io.etcdpilot.operator.model.Durations.parse(value);
      if (d.isZero()) throw new IllegalArgumentException("must be longer than 0s: '" + value + "'");
      return d;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(flag + ": " + e.getMessage() + "\n" + USAGE);
    }
  }

  private static String require(String flag, String value) {
    if (value == null) throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
    return value;
  }
}
