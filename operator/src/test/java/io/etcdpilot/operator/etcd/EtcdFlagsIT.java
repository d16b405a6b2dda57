package io.etcdpilot.operator.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdpilot.operator.model.BackendQuota;
import io.etcdpilot.operator.model.EtcdFlags;
import io.etcdpilot.operator.model.EtcdVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The corruption-check, defragmentation and quota flags each version gets are flags that version accepts: every etcd
 * on this machine (the distribution's and the ones the sandbox builds) starts with them and serves.
 */
class EtcdFlagsIT {
  /** The distribution's etcd and every etcd the sandbox built, with the version each reports. */
  static List<Path> binaries() throws IOException {
    List<Path> out = new ArrayList<>(List.of(Path.of(LocalEtcdCluster.binary())));
    Path built = Path.of(System.getProperty("user.home"), ".cache", "etcdpilot", "bin");
    if (Files.isDirectory(built)) {
      try (Stream<Path> dirs = Files.list(built)) {
        // A build in progress writes into etcd-vX.tmp and renames it when done.
        dirs.filter(d -> d.getFileName().toString().startsWith("etcd-v") && !d.getFileName().toString().endsWith(".tmp"))
            .map(d -> d.resolve("etcd"))
            .filter(Files::isExecutable).sorted().forEach(out::add);
      }
    }
    return out;
  }

  static EtcdVersion version(Path binary) throws Exception {
    Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    return EtcdVersion.parse(out.lines().filter(l -> l.startsWith("etcd Version:")).findFirst().orElseThrow()
        .substring("etcd Version:".length()).strip());
  }

  @Test
  void everyVersionStartsWithTheFlagsItIsGiven() throws Exception {
    List<Path> binaries = binaries();
    int n = 0;
    for (Path binary : binaries) {
      EtcdVersion v = version(binary);
      List<String> flags = new ArrayList<>(EtcdFlags.integrity(v));
      flags.add("--quota-backend-bytes=" + BackendQuota.of(null, BackendQuota.bytes("1Gi")));
      n++;
      try (LocalEtcdCluster one = new LocalEtcdCluster("127.0." + (80 + n) + ".", 1, null, 1, binary.toString(),
          flags)) {
        assertThat(one.log(1)).as("etcd %s", v).doesNotContain("unknown flag").doesNotContain("deprecated");
      }
    }
    assertThat(n).isPositive();
  }
}
