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
 * The sandbox's DNS, written twice. JVMs (tests, operator, etcdctl) read {@link #path()} as jdk.net.hosts.file;
 * it is replaced atomically, because a lookup that caught it half-written would fail and the JDK caches that
 * failure for 10 s. Pods get {@link #podPath()} bind-mounted over /etc/hosts; it must be rewritten in place
 * (a bind mount of a file keeps pointing at the inode it was made with). Both are written only on change.
 */
public final class HostsFile {
  private final Path file;
  private final Path podFile;
  private final Map<String, List<String>> entries = new TreeMap<>();
  private String written;

  public HostsFile(Path file) throws IOException {
    this.file = file;
    this.podFile = file.resolveSibling(file.getFileName() + ".pods");
    Files.createDirectories(file.getParent());
    write();
  }

  public Path path() {
    return file;
  }

  public Path podPath() {
    return podFile;
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
    String text = sb.toString();
    if (text.equals(written)) return;
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    try (RandomAccessFile raf = new RandomAccessFile(podFile.toFile(), "rw")) {
      raf.setLength(0);
      raf.write(bytes);
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, bytes);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      written = text;
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + file, e);
    }
  }
}
