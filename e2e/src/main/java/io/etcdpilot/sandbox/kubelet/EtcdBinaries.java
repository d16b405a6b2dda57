package io.etcdpilot.sandbox.kubelet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local etcd binaries by version: a release pinned in {@code e2e/kube/etcd/} (built from its Go modules on first
 * use), the distribution's package (3.4 on Debian bookworm), or a release that a Debian suite (trixie, sid)
 * carries, fetched with a private apt list and unpacked into a cache — never installed on the system.
 */
public final class EtcdBinaries {
  private static final Logger log = LoggerFactory.getLogger(EtcdBinaries.class);
  public static final List<String> SUITES = List.of("trixie", "sid");
  private static final Pattern ETCD_IMAGE = Pattern.compile("(^|/)etcd(-[a-z0-9]+)?[:@]v?(\\d+\\.\\d+\\.\\d+)");

  private final Path cache;
  private final io.etcdpilot.sandbox.controlplane.KubeBinaries pinned;
  private final Set<String> fetchedSuites = new LinkedHashSet<>();

  public EtcdBinaries(Path cache, io.etcdpilot.sandbox.controlplane.KubeBinaries pinned) {
    this.cache = cache;
    this.pinned = pinned;
  }

  /** The checkout the sandbox runs from (the operator's jar is built there). */
  public Path repository() {
    return pinned.repository();
  }

  public static Path defaultCache() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("etcdpilot").resolve("etcd");
  }

  /** The etcd version an image reference names, if it is an etcd image. */
  public static Optional<String> versionOfImage(String image) {
    Matcher m = ETCD_IMAGE.matcher(image == null ? "" : image);
    return m.find() ? Optional.of(m.group(3)) : Optional.empty();
  }

  /** Directory holding bin/etcd and bin/etcdctl of that version, fetching it when a Debian suite has it. */
  public synchronized Optional<Path> binDir(String version) {
    if (pinned.etcdVersions().contains(version)) return Optional.of(pinned.etcd(version));
    Optional<Path> found = lookup(version);
    if (found.isPresent()) return found;
    for (String suite : SUITES) {
      if (fetchedSuites.contains(suite)) continue;
      fetchedSuites.add(suite);
      try {
        String got = fetch(suite);
        log.info("Debian {} carries etcd {}", suite, got);
        if (got.equals(version)) return lookup(version);
      } catch (IOException | InterruptedException e) {
        log.warn("could not fetch etcd from Debian {}: {}", suite, e.getMessage());
      }
    }
    return lookup(version);
  }

  private Optional<Path> lookup(String version) {
    if (version.equals(systemVersion())) return Optional.of(Path.of("/usr/bin"));
    Path dir = cache.resolve(version).resolve("usr/bin");
    return Files.isExecutable(dir.resolve("etcd")) ? Optional.of(dir) : Optional.empty();
  }

  /** Versions present locally now, or pinned to be built on first use. */
  public List<String> available() {
    List<String> out = new ArrayList<>(pinned.etcdVersions());
    String sys = systemVersion();
    if (sys != null && !out.contains(sys)) out.add(sys);
    try (var dirs = Files.list(cache)) {
      dirs.filter(d -> Files.isExecutable(d.resolve("usr/bin/etcd"))).map(d -> d.getFileName().toString())
          .filter(v -> !out.contains(v)).forEach(out::add);
    } catch (IOException e) {
      // empty cache
    }
    out.sort(java.util.Comparator.comparing(io.etcdpilot.operator.model.EtcdVersion::parse));
    return out;
  }

  /** The version a suite offers (fetched into the cache). */
  public synchronized String fetch(String suite) throws IOException, InterruptedException {
    Path script = Files.createTempFile("fetch-etcd", ".sh");
    try (InputStream in = EtcdBinaries.class.getResourceAsStream("/io/etcdpilot/sandbox/fetch-etcd.sh")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    try {
      Process p = new ProcessBuilder("bash", script.toString(), suite, cache.toString())
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
        throw new IOException("fetching etcd from Debian " + suite + " failed");
      }
      fetchedSuites.add(suite);
      return out;
    } finally {
      Files.deleteIfExists(script);
    }
  }

  private static String systemVersion() {
    if (!Files.isExecutable(Path.of("/usr/bin/etcd"))) return null;
    try {
      Process p = new ProcessBuilder("/usr/bin/etcd", "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      Matcher m = Pattern.compile("etcd Version: (\\d+\\.\\d+\\.\\d+)").matcher(out);
      return m.find() ? m.group(1) : null;
    } catch (IOException | InterruptedException e) {
      return null;
    }
  }
}
