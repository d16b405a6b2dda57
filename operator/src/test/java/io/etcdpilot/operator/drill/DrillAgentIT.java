package io.etcdpilot.operator.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcdpilot.operator.etcd.LocalEtcdCluster;
import io.etcdpilot.operator.snapshot.SnapshotManifest;
import io.etcdpilot.operator.snapshot.SnapshotStreamer;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the snapshot records of a member (key count and KV hash at its revision) is what the drill's check finds in a
 * copy holding the same data, asked of a real etcd; and a copy that differs is told apart.
 */
class DrillAgentIT {
  static LocalEtcdCluster etcd;
  static Client client;

  @BeforeAll
  static void start() throws Exception {
    etcd = new LocalEtcdCluster("127.0.74.", 1);
    client = Client.builder().endpoints(etcd.clientUrls().toArray(String[]::new)).build();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    etcd.close();
  }

  static void put(String key, String value) throws Exception {
    client.getKVClient().put(ByteSequence.from(key, StandardCharsets.UTF_8), ByteSequence.from(value,
        StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
  }

  static SnapshotManifest manifestNow() throws Exception {
    long revision = client.getKVClient().get(ByteSequence.from("x", StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS)
        .getHeader().getRevision();
    URI u = URI.create(etcd.clientUrls().get(0));
    ManagedChannel ch = NettyChannelBuilder.forAddress(u.getHost(), u.getPort()).usePlaintext().build();
    try {
      SnapshotManifest.Contents contents = SnapshotStreamer.contents(ch, revision);
      return new SnapshotManifest(3, "it", "default", "abc", revision, "3.4", "m1", "00", 1, 1, "none", null,
          "it.db", "2026-12-06T00:00:00Z", "c", "s", false, contents);
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void theSameDataPassesAndAnyDifferenceIsFound() throws Exception {
    for (int i = 0; i < 20; i++) put("/registry/k" + i, "v" + i);
    client.getKVClient().delete(ByteSequence.from("/registry/k3", StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
    SnapshotManifest manifest = manifestNow();
    assertThat(manifest.contents()).isNotNull();
    assertThat(manifest.contents().keys()).isEqualTo(19);
    String endpoint = etcd.clientUrls().get(0);

    // Writes after the snapshot's revision do not matter: the check looks at that revision.
    put("/registry/later", "x");
    DrillCheck.Verdict same = DrillAgent.check(manifest, endpoint, Duration.ofSeconds(30));
    assertThat(same.passed()).as(same.message()).isTrue();
    assertThat(same.message()).contains("19 keys", "KV hash");

    SnapshotManifest otherHash = new SnapshotManifest(3, "it", "default", "abc", manifest.revision(), "3.4", "m1", "00",
        1, 1, "none", null, "it.db", "t", "c", "s", false, new SnapshotManifest.Contents(19,
        manifest.contents().hashKV() ^ 1, manifest.contents().compactRevision()));
    DrillCheck.Verdict corrupt = DrillAgent.check(otherHash, endpoint, Duration.ofSeconds(30));
    assertThat(corrupt.passed()).isFalse();
    assertThat(corrupt.message()).contains("hash");

    SnapshotManifest ahead = new SnapshotManifest(3, "it", "default", "abc", manifest.revision() + 1000, "3.4", "m1",
        "00", 1, 1, "none", null, "it.db", "t", "c", "s", false, manifest.contents());
    assertThat(DrillAgent.check(ahead, endpoint, Duration.ofSeconds(30)).passed())
        .as("a copy older than the snapshot").isFalse();
  }
}
