package io.etcdpilot.sandbox.kubelet;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sandbox's DNS: one hosts file, bind-mounted over /etc/hosts in every pod's mount namespace and given
 * to JVMs as jdk.net.hosts.file. It is rewritten in place (same inode), because a bind mount of a file
 * keeps pointing at the inode it was made with.
 */
public final class HostsFile {
  private final Path file;
  private final Map<String, List<String>> entries = new TreeMap<>();

  public HostsFile(Path file) throws IOException {
    this.file = file;
    Files.createDirectories(file.getParent());
    write();
  }

  public Path path() {
    return file;
  }

  /** Sets (or with an empty list, clears) the names that resolve to an address, under a stable key. */
  public synchronized void put(String key, String ip, List<String> names) {
    if (names.isEmpty()) {
      entries.remove(key);
    } else {
      entries.put(key, List.of(ip, String.join(" ", names)));
    }
    write();
  }

  public synchronized void remove(String key) {
    if (entries.remove(key) != null) write();
  }

  private void write() {
    StringBuilder sb = new StringBuilder("127.0.0.1 localhost\n::1 localhost ip6-localhost\n");
    for (List<String> e : entries.values()) {
      sb.append(e.get(0)).append(' ').append(e.get(1)).append('\n');
    }
    byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(0);
      raf.write(bytes);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + file, e);
    }
  }
}
