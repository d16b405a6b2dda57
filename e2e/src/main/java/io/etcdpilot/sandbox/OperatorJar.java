package io.etcdpilot.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The operator's fat jar as the build made it: what its image carries, and what the sandbox runs. */
public final class OperatorJar {
  private OperatorJar() {}

  public static Path built(Path repository) throws IOException {
    Path target = repository.resolve("operator/target");
    if (!Files.isDirectory(target)) throw new IOException("the operator is not built (mvn -pl operator package)");
    try (var files = Files.list(target)) {
      return files.filter(f -> f.getFileName().toString().matches("etcdpilot-operator-.*-all\\.jar")).findFirst()
          .orElseThrow(() -> new IOException("the operator's jar is not built (mvn -pl operator package)"));
    }
  }
}
