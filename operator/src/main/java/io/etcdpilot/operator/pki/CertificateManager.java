package io.etcdpilot.operator.pki;

import io.etcdpilot.operator.model.ClusterNames;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Keeps a cluster's certificates in Secrets: the CA (operator-run, or the user's), one server and one peer
 * certificate per member, a client certificate for applications and one for the operator. Renews leaves
 * inside their renewal window (etcd re-reads them on new connections: no restart) and replaces a CA in
 * phases, each derived from the Secrets so an operator restart resumes it:
 * <ol>
 *   <li>trust old and new CA (bundle changes: members restart one at a time to load it);</li>
 *   <li>when every member trusts both, reissue all leaves from the new CA;</li>
 *   <li>when every member presents the new certificates, drop the old CA (members restart again).</li>
 * </ol>
 * One CA signs both planes, so the peer port tells members apart by name: every peer certificate carries
 * {@link ClusterNames#peerIdentity()} and members require it. A cluster whose peer certificates predate that gets
 * them reissued first; only once they have reached the members ({@link #PEER_IDENTITY} on the Secret, kept from
 * then on) do members restart requiring it, so no member ever refuses a peer still presenting an old certificate.
 */
public class CertificateManager {
  public static final String ISSUED_AT = "etcdpilot.io/leaves-issued-at";
  /** The name members require from peers; set once every peer certificate carries it and had time to settle. */
  public static final String PEER_IDENTITY = "etcdpilot.io/peer-identity";
  /**
   * On the member Secret: the name members require on client certificates. Set when a cluster with a user-provided CA
   * is created (every certificate is new then, and carries it); kept from then on.
   */
  public static final String CLIENT_IDENTITY = "etcdpilot.io/client-identity";
  /** Time for Secret volume updates to reach the members before the old CA is dropped. */
  public static final java.time.Duration SETTLE = java.time.Duration.ofSeconds(20);
  /** How soon to look again at what members present, once the settle time is over and they do not yet. */
  static final java.time.Duration PRESENTED_RECHECK = java.time.Duration.ofSeconds(10);

  private static final String CA_FIELD = "spec.tls.caSecretName";
  public CertificateManager() {}

  /** Why a CA could not be used, and the spec field to fix. */
  public static class CaUnavailable extends RuntimeException {
    private final String field;
    private final String reason;

    public CaUnavailable(String field, String message) {
      super(field + ": " + message);
      this.field = field;
      this.reason = message;
    }

    public String field() {
      return field;
    }

    public String reason() {
      return reason;
    }
  }

  /**
   * @param members member names that need certificates
   * @param membersTrust whether every member is ready and running with the trust bundle of the given hash
   *     (a trust change reaches a member only when it restarts)
   * @param served what members present now: asked before the old CA is dropped and before the peer name is required
   * @param events receives (reason, message) for each rotation step
   */
  public TlsMaterial ensure(SecretStore secrets, OwnerReference owner, ClusterNames names, TlsSettings settings,
      List<String> members, java.util.function.Predicate<String> membersTrust, ServedCertificates served, Instant now,
      BiConsumer<String, String> events) {
    String ns = names.namespace();
    CertificateAuthority issuing = issuingCa(secrets, owner, names, settings, now, events);

    Secret memberSecret = secrets.owned(names.memberTlsSecret());
    Map<String, String> data = memberSecret == null ? new LinkedHashMap<>() : decode(memberSecret);
    List<X509Certificate> bundle = new ArrayList<>(data.containsKey("ca.crt") ? Pem.certificates(data.get("ca.crt")) : List.of());
    String issuedAt = annotation(memberSecret, ISSUED_AT);
    String peerIdentity = names.peerIdentity();
    String requiredFromPeers = annotation(memberSecret, PEER_IDENTITY);
    boolean freshLeaves = allLeavesMissing(data, members);
    // A CA the user shares with other workloads: members accept only client certificates that carry this cluster's
    // client identity. From creation only: an existing cluster's clients would have to reload new certificates first.
    String clientIdentity = names.clientIdentity().equals(annotation(memberSecret, CLIENT_IDENTITY))
        || (settings.caSecretName() != null && freshLeaves) ? names.clientIdentity() : null;
    boolean changed = false;
    Instant settlesAt = null;
    String phase = "Stable";

    if (!bundle.contains(issuing.certificate())) {
      boolean fresh = bundle.isEmpty();
      bundle.add(issuing.certificate());
      changed = true;
      if (!fresh) {
        phase = "TrustingNewCA";
        events.accept("TrustingNewCA", "members will trust the old and the new CA; restarting them one at a time");
      }
    }
    boolean leavesFromIssuer = members.stream().allMatch(m ->
        issuedBy(data.get(m + "-server.crt"), issuing) && issuedBy(data.get(m + "-peer.crt"), issuing));
    boolean rotating = bundle.size() > 1;
    String bundleHash = sha(Pem.encode(bundle.toArray(X509Certificate[]::new)));
    boolean membersTrustBundle = membersTrust.test(bundleHash);
    boolean mayIssueFromNewCa = !rotating || membersTrustBundle || allLeavesMissing(data, members);

    if (!leavesFromIssuer && rotating && !mayIssueFromNewCa) {
      phase = "TrustingNewCA";
    }
    int reissued = 0;
    int identified = 0;
    boolean everyPeerCarriesName = true; // after this pass's issues (every peer certificate issued here carries it)
    for (String m : members) {
      for (String kind : List.of("server", "peer")) {
        String crt = data.get(m + "-" + kind + ".crt");
        boolean wrongIssuer = !issuedBy(crt, issuing);
        boolean due = crt == null || settings.leaves().dueFrom(Pem.certificate(crt), issuing.certificate(), now);
        boolean lacksIdentity = kind.equals("peer") && crt != null && !names(crt).contains(peerIdentity);
        boolean reissue = (wrongIssuer && mayIssueFromNewCa) || (!wrongIssuer && (due || lacksIdentity)) || crt == null;
        if (lacksIdentity && !reissue) everyPeerCarriesName = false;
        if (reissue) {
          if (lacksIdentity && !wrongIssuer && !due) identified++;
          CertificateAuthority.Leaf leaf = kind.equals("server")
              ? issuing.issue(m, CertificateAuthority.Usage.SERVER, serverNames(names, m, clientIdentity),
                  List.of("127.0.0.1"), now, settings.leaves().validity())
              : issuing.issue(m, CertificateAuthority.Usage.PEER, peerNames(names, m), List.of(), now,
                  settings.leaves().validity());
          data.put(m + "-" + kind + ".crt", Pem.encode(leaf.certificate()));
          data.put(m + "-" + kind + ".key", Pem.encode(leaf.key()));
          reissued++;
          changed = true;
        }
      }
    }
    if (reissued > 0) {
      issuedAt = now.toString();
      if (rotating && !leavesFromIssuer && !allLeavesMissing(decodeOrEmpty(memberSecret), members)) {
        events.accept("ReissuedCertificates", "member certificates reissued from the new CA");
        phase = "PresentingNewCA";
      } else if (identified > 0) {
        events.accept("IssuedPeerIdentity", identified + " peer certificate(s) reissued carrying " + peerIdentity
            + "; once they reach the members, port 2380 will accept member certificates only");
      } else if (memberSecret != null) {
        events.accept("RenewedCertificates", reissued + " member certificate(s) renewed");
      }
    }

    boolean alreadyRequired = peerIdentity.equals(requiredFromPeers);
    // Asked only when it decides something: every certificate carries the name and members may now require it.
    java.util.function.BooleanSupplier everyPeerPresentsName = () -> members.stream().allMatch(m -> served
        .leaf(m, ServedCertificates.PEER_PORT).map(c -> names(Pem.encode(c)).contains(peerIdentity)).orElse(false));
    PeerPortRestriction restriction = PeerPortRestriction.decide(alreadyRequired, everyPeerCarriesName, freshLeaves,
        issuedAt == null ? null : Instant.parse(issuedAt), now, SETTLE, everyPeerPresentsName);
    if (restriction.restrictsNow()) {
      if (!freshLeaves) {
        events.accept("RestrictingPeerPort", "every peer certificate carries " + peerIdentity
            + "; members restart one at a time to accept only member certificates on port 2380");
      }
      changed = true;
    } else if (restriction.settlesAt() != null) {
      settlesAt = restriction.settlesAt();
      if (phase.equals("Stable")) phase = "RestrictingPeerPort";
    }

    // Drop the old CA once every member trusts both and presents leaves from the new one on both ports (asked only
    // then: a handshake with each member).
    boolean allFromIssuer = members.stream().allMatch(m ->
        issuedBy(data.get(m + "-server.crt"), issuing) && issuedBy(data.get(m + "-peer.crt"), issuing));
    boolean settled = issuedAt != null && !now.isBefore(Instant.parse(issuedAt).plus(SETTLE));
    if (bundle.size() > 1 && allFromIssuer && membersTrustBundle && settled
        && members.stream().allMatch(m -> presentsFrom(served, m, issuing))) {
      bundle.removeIf(c -> !c.equals(issuing.certificate()));
      changed = true;
      phase = "DroppingOldCA";
      events.accept("DroppedOldCA", "every member presents certificates from the new CA; the old CA is no longer trusted");
    } else if (bundle.size() > 1 && allFromIssuer) {
      phase = "PresentingNewCA";
      if (issuedAt != null) {
        // Before the settle time: then. After it, members still present old leaves: look again shortly.
        settlesAt = sooner(settlesAt, settled ? now.plus(PRESENTED_RECHECK) : Instant.parse(issuedAt).plus(SETTLE));
      }
    }

    String bundlePem = Pem.encode(bundle.toArray(X509Certificate[]::new));
    if (phase.equals("Stable") && memberSecret != null && !membersTrust.test(sha(bundlePem))) {
      phase = "DroppingOldCA"; // members are restarting to load the reduced bundle
    }
    data.put("ca.crt", bundlePem);
    if (changed) {
      Map<String, String> annotations = new LinkedHashMap<>();
      if (issuedAt != null) annotations.put(ISSUED_AT, issuedAt);
      if (restriction.required()) annotations.put(PEER_IDENTITY, peerIdentity);
      if (clientIdentity != null) annotations.put(CLIENT_IDENTITY, clientIdentity);
      secrets.write(secret(names.memberTlsSecret(), ns, owner, names, data, annotations), memberSecret);
    }
    Leaf clientLeaf = clientSecret(secrets, names.clientTlsSecret(), "etcd-client", owner, names, issuing, bundlePem, settings,
        now, mayIssueFromNewCa, clientIdentity);
    Leaf operatorLeaf = clientSecret(secrets, names.operatorTlsSecret(), "etcdpilot-operator", owner, names, issuing, bundlePem,
        settings, now, mayIssueFromNewCa, clientIdentity);

    Instant earliest = Instant.MAX;
    for (String m : members) {
      for (String kind : List.of("server", "peer")) {
        Instant na = Pem.certificate(data.get(m + "-" + kind + ".crt")).getNotAfter().toInstant();
        if (na.isBefore(earliest)) earliest = na;
      }
    }
    if (clientLeaf.notAfter.isBefore(earliest)) earliest = clientLeaf.notAfter;
    return new TlsMaterial(bundlePem, operatorLeaf.certPem, operatorLeaf.keyPem, sha(bundlePem),
        issuing.certificate().getNotAfter().toInstant(), earliest, phase,
        restriction.required() ? peerIdentity : null, clientIdentity,
        settlesAt != null && settlesAt.isAfter(now) ? settlesAt : null);
  }

  /** Whether the member presents a leaf from this CA on both its client and its peer port. */
  private static boolean presentsFrom(ServedCertificates served, String member, CertificateAuthority issuing) {
    for (int port : List.of(ServedCertificates.CLIENT_PORT, ServedCertificates.PEER_PORT)) {
      boolean fromIssuer = served.leaf(member, port).map(c -> {
        try {
          c.verify(issuing.publicKey());
          return true;
        } catch (Exception e) {
          return false;
        }
      }).orElse(false);
      if (!fromIssuer) return false;
    }
    return true;
  }

  private static Instant sooner(Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }

  private static String annotation(Secret s, String key) {
    return s == null || s.getMetadata().getAnnotations() == null ? null : s.getMetadata().getAnnotations().get(key);
  }

  /** The DNS names a certificate is issued for; none when absent or unreadable. */
  static List<String> names(String certPem) {
    if (certPem == null) return List.of();
    try {
      var sans = Pem.certificate(certPem).getSubjectAlternativeNames();
      if (sans == null) return List.of();
      return sans.stream().filter(san -> Integer.valueOf(2).equals(san.get(0))).map(san -> (String) san.get(1)).toList();
    } catch (Exception e) {
      return List.of();
    }
  }

  private record Leaf(String certPem, String keyPem, Instant notAfter) {}

  private Leaf clientSecret(SecretStore secrets, String name, String commonName, OwnerReference owner, ClusterNames names,
      CertificateAuthority issuing, String bundlePem, TlsSettings settings, Instant now, boolean mayIssueFromNewCa,
      String clientIdentity) {
    Secret existing = secrets.owned(name);
    Map<String, String> data = existing == null ? new LinkedHashMap<>() : decode(existing);
    String crt = data.get("tls.crt");
    boolean wrongIssuer = !issuedBy(crt, issuing);
    boolean due = crt == null || settings.leaves().dueFrom(Pem.certificate(crt), issuing.certificate(), now);
    boolean changed = false;
    if (crt == null || (wrongIssuer && mayIssueFromNewCa) || (!wrongIssuer && due)) {
      CertificateAuthority.Leaf leaf = issuing.issue(commonName, CertificateAuthority.Usage.CLIENT,
          clientIdentity == null ? List.of() : List.of(clientIdentity), List.of(), now, settings.leaves().validity());
      data.put("tls.crt", Pem.encode(leaf.certificate()));
      data.put("tls.key", Pem.encode(leaf.key()));
      changed = true;
    }
    if (!bundlePem.equals(data.get("ca.crt"))) {
      data.put("ca.crt", bundlePem);
      changed = true;
    }
    if (changed) secrets.write(secret(name, names.namespace(), owner, names, data, Map.of()), existing);
    return new Leaf(data.get("tls.crt"), data.get("tls.key"), Pem.certificate(data.get("tls.crt")).getNotAfter().toInstant());
  }

  /** The CA new certificates come from: the user's (spec.tls.caSecretName) or the operator's own, renewed when due. */
  private CertificateAuthority issuingCa(SecretStore secrets, OwnerReference owner, ClusterNames names, TlsSettings settings, Instant now,
      BiConsumer<String, String> events) {
    String ns = names.namespace();
    if (settings.caSecretName() != null) {
      Secret user = secrets.userProvided(settings.caSecretName());
      if (user == null) {
        throw new CaUnavailable(CA_FIELD, "Secret " + ns + "/" + settings.caSecretName() + " does not exist");
      }
      Map<String, String> d = decode(user);
      String crt = d.getOrDefault("tls.crt", d.get("ca.crt"));
      String key = d.getOrDefault("tls.key", d.get("ca.key"));
      if (crt == null || key == null) {
        throw new CaUnavailable(CA_FIELD, "Secret " + ns + "/" + settings.caSecretName()
            + " must hold the CA as tls.crt and tls.key");
      }
      CertificateAuthority ca;
      try {
        ca = new CertificateAuthority(Pem.certificate(crt), Pem.privateKey(key));
      } catch (IllegalArgumentException e) {
        throw new CaUnavailable(CA_FIELD, e.getMessage());
      }
      // Before anything is issued from it: a CA that cannot sign what members trust must change nothing.
      CaCheck.problem(ca, now).ifPresent(p -> {
        throw new CaUnavailable(CA_FIELD, "Secret " + ns + "/" + settings.caSecretName() + ": " + p);
      });
      return ca;
    }
    Secret own = secrets.owned(names.caSecret());
    if (own != null) {
      Map<String, String> d = decode(own);
      CertificateAuthority ca = new CertificateAuthority(Pem.certificate(d.get("tls.crt")), Pem.privateKey(d.get("tls.key")));
      if (!settings.ca().due(ca.certificate(), now)) {
        return ca;
      }
      events.accept("RenewingCA", "the cluster CA expires " + ca.certificate().getNotAfter().toInstant()
          + "; replacing it");
    }
    CertificateAuthority ca = CertificateAuthority.create(names.cluster() + "-etcd-ca", now, settings.ca().validity());
    Map<String, String> d = new LinkedHashMap<>();
    d.put("tls.crt", Pem.encode(ca.certificate()));
    d.put("tls.key", Pem.encode(ca.key()));
    secrets.write(secret(names.caSecret(), ns, owner, names, d, Map.of()), own);
    return ca;
  }

  /** @param clientIdentity also on server certificates: etcd's own gateway presents them as a client of its member */
  static List<String> serverNames(ClusterNames names, String member, String clientIdentity) {
    List<String> dns = new ArrayList<>(names.memberDnsNames(member));
    dns.addAll(names.clientServiceDnsNames());
    dns.add("localhost");
    if (clientIdentity != null) dns.add(clientIdentity);
    return dns;
  }

  static List<String> peerNames(ClusterNames names, String member) {
    List<String> dns = new ArrayList<>(names.memberDnsNames(member));
    dns.add(names.peerIdentity());
    return dns;
  }

  private static boolean allLeavesMissing(Map<String, String> data, List<String> members) {
    return members.stream().noneMatch(m -> data.containsKey(m + "-server.crt"));
  }

  private static Map<String, String> decodeOrEmpty(Secret s) {
    return s == null ? Map.of() : decode(s);
  }

  private static boolean issuedBy(String certPem, CertificateAuthority ca) {
    if (certPem == null) return false;
    try {
      Pem.certificate(certPem).verify(ca.publicKey());
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static Secret secret(String name, String ns, OwnerReference owner, ClusterNames names, Map<String, String> data,
      Map<String, String> annotations) {
    Map<String, String> encoded = new LinkedHashMap<>();
    data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return new SecretBuilder()
        .withNewMetadata().withName(name).withNamespace(ns).withLabels(names.commonLabels())
          .withAnnotations(annotations.isEmpty() ? null : annotations).withOwnerReferences(owner).endMetadata()
        .withType("Opaque")
        .withData(encoded)
        .build();
  }

  /** The text values of a Secret (data decoded, stringData as is). */
  public static Map<String, String> decode(Secret s) {
    Map<String, String> out = new LinkedHashMap<>();
    if (s.getData() != null) {
      s.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (s.getStringData() != null) out.putAll(s.getStringData());
    return out;
  }

  static String sha(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)))
          .substring(0, 16);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
