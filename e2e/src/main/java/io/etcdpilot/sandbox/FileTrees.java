package io.etcdpilot.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing directory trees: the sandbox's volumes, pods and runs are plain directories. */
public final class FileTrees {
  private FileTrees() {}

  /** Deletes {@code dir} and everything under it; nothing when it does not exist. */
  public static void delete(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }

  /** Deletes everything under {@code dir} and keeps the directory itself (a bind mount may point at it). */
  public static void empty(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) return;
    try (Stream<Path> children = Files.list(dir)) {
      for (Path child : children.toList()) delete(child);
    }
  }
}
