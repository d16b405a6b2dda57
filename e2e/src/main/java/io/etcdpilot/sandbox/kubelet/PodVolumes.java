package io.etcdpilot.sandbox.kubelet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcdpilot.sandbox.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pod's volumes as directories: claims at their provisioned paths, everything else under the pod's directory;
 * ConfigMap, Secret and projected volumes (bound ServiceAccount tokens, downward API fields) written the way the
 * kubelet writes them, atomically, and handed to the pod's user. As a real kubelet, a change of a ConfigMap or Secret
 * reaches a running pod on its next sync (every minute by default, at a phase of the pod's own), not at once: what a
 * running member sees lags what the API server holds.
 */
final class PodVolumes {
  private static final Logger log = LoggerFactory.getLogger(PodVolumes.class);

  private final PodContext ctx;
  private final Map<String, Path> dirs = new LinkedHashMap<>();
  /** Bound ServiceAccount tokens by volume and path: requested once per pod, kept across refreshes. */
  private final Map<String, byte[]> tokens = new ConcurrentHashMap<>();
  /** Objects ("Kind/name") that changed since the last sync. */
  private final java.util.Set<String> changed = ConcurrentHashMap.newKeySet();

  PodVolumes(PodContext ctx) {
    this.ctx = ctx;
  }

  /** Volume name → its directory on the host. */
  Map<String, Path> dirs() {
    return dirs;
  }

  /** A pod whose claim is not bound yet (or is being deleted) waits, as the kubelet's volume manager does. */
  void awaitClaims(BooleanSupplier terminating) throws InterruptedException {
    for (JsonNode v : ctx.pod().path("spec").path("volumes")) {
      String claim = v.path("persistentVolumeClaim").path("claimName").asText("");
      while (!claim.isEmpty() && !terminating.getAsBoolean() && ctx.kubelet().claimPath(ctx.namespace(), claim).isEmpty()) {
        Thread.sleep(200);
      }
    }
  }

  void prepare() throws IOException {
    for (JsonNode v : ctx.pod().path("spec").path("volumes")) {
      String vol = v.path("name").asText();
      Path dir;
      if (v.has("persistentVolumeClaim")) {
        String claim = v.path("persistentVolumeClaim").path("claimName").asText();
        dir = ctx.kubelet().claimPath(ctx.namespace(), claim)
            .orElseThrow(() -> new IOException("claim " + claim + " is not bound"));
      } else {
        dir = ctx.podDir().resolve("volumes").resolve(vol);
      }
      Files.createDirectories(dir);
      chown(dir);
      dirs.put(vol, dir);
    }
    refresh(null, null);
  }

  /** A ConfigMap or Secret changed: its volumes are written at the pod's next sync. */
  void changed(String kind, String objectName) {
    changed.add(kind + "/" + objectName);
  }

  /** The pod's sync: writes the volumes of what changed since the last one. */
  void sync() {
    for (String k : java.util.List.copyOf(changed)) {
      changed.remove(k);
      int slash = k.indexOf('/');
      refresh(k.substring(0, slash), k.substring(slash + 1));
    }
  }

  /** Writes ConfigMap, Secret and projected volumes; with a kind and name, only volumes of that object. */
  void refresh(String kind, String objectName) {
    for (JsonNode v : ctx.pod().path("spec").path("volumes")) {
      if (v.has("projected")) {
        refreshProjected(v, kind, objectName);
        continue;
      }
      String source = v.has("configMap") ? "ConfigMap" : v.has("secret") ? "Secret" : null;
      if (source == null) continue;
      JsonNode ref = source.equals("ConfigMap") ? v.path("configMap") : v.path("secret");
      String refName = source.equals("ConfigMap") ? ref.path("name").asText() : ref.path("secretName").asText();
      if (kind != null && (!kind.equals(source) || !refName.equals(objectName))) continue;
      Path dir = dirs.get(v.path("name").asText());
      if (dir == null) continue;
      try {
        Optional<ObjectNode> obj = ctx.kubelet().lookup(source, ctx.namespace(), refName);
        writeAtomically(dir, obj.map(o -> keyFiles(o, source.equals("Secret"), ref)).orElse(Map.of()));
        chown(dir);
      } catch (IOException e) {
        log.warn("pod {}/{}: cannot write volume {}: {}", ctx.namespace(), ctx.name(), v.path("name").asText(), e.getMessage());
      }
    }
  }

  /**
   * A projected volume (what the ServiceAccount admission plugin adds as {@code kube-api-access-*}): a bound token,
   * ConfigMap and Secret keys, downward API fields, in one directory.
   */
  private void refreshProjected(JsonNode v, String kind, String objectName) {
    JsonNode sources = v.path("projected").path("sources");
    if (kind != null) {
      boolean uses = false;
      for (JsonNode src : sources) {
        JsonNode ref = src.path(kind.equals("ConfigMap") ? "configMap" : "secret");
        uses |= ref.path("name").asText("").equals(objectName);
      }
      if (!uses) return;
    }
    Path dir = dirs.get(v.path("name").asText());
    if (dir == null) return;
    try {
      Map<String, byte[]> files = new LinkedHashMap<>();
      for (JsonNode src : sources) {
        if (src.has("serviceAccountToken")) {
          JsonNode t = src.path("serviceAccountToken");
          String path = t.path("path").asText("token");
          byte[] token = tokens.computeIfAbsent(v.path("name").asText() + "/" + path, k -> ctx.kubelet().serviceAccountToken(
              ctx, ctx.pod().path("spec").path("serviceAccountName").asText("default"),
              t.path("expirationSeconds").asLong(3600), t.path("audience").asText("")).getBytes(StandardCharsets.UTF_8));
          files.put(path, token);
        } else if (src.has("configMap") || src.has("secret")) {
          boolean secret = src.has("secret");
          JsonNode ref = src.path(secret ? "secret" : "configMap");
          // Written once the object exists (the informer's event refreshes it).
          ctx.kubelet().lookup(secret ? "Secret" : "ConfigMap", ctx.namespace(), ref.path("name").asText())
              .ifPresent(o -> files.putAll(keyFiles(o, secret, ref)));
        } else if (src.has("downwardAPI")) {
          for (JsonNode item : src.path("downwardAPI").path("items")) {
            String field = item.path("fieldRef").path("fieldPath").asText();
            files.put(item.path("path").asText(), ctx.fieldValue(field).getBytes(StandardCharsets.UTF_8));
          }
        }
      }
      writeAtomically(dir, files);
      chown(dir);
    } catch (IOException | RuntimeException e) {
      log.warn("pod {}/{}: cannot write projected volume {}: {}", ctx.namespace(), ctx.name(), v.path("name").asText(),
          e.getMessage());
    }
  }

  /** The files a ConfigMap's or Secret's keys give: {@code items} (key → path) when listed, else every key at its name. */
  private static Map<String, byte[]> keyFiles(ObjectNode obj, boolean secret, JsonNode ref) {
    Map<String, byte[]> byKey = new LinkedHashMap<>();
    obj.path("data").fields().forEachRemaining(e -> byKey.put(e.getKey(), secret
        ? Base64.getDecoder().decode(e.getValue().asText()) : e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
    obj.path("stringData").fields().forEachRemaining(e -> byKey.put(e.getKey(), e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
    if (!ref.has("items")) return byKey;
    Map<String, byte[]> byPath = new LinkedHashMap<>();
    for (JsonNode item : ref.path("items")) {
      byte[] content = byKey.get(item.path("key").asText());
      if (content != null) byPath.put(item.path("path").asText(), content);
    }
    return byPath;
  }

  /** Hands a volume to the pod's user (the kubelet's fsGroup handling, simplified). */
  private void chown(Path dir) throws IOException {
    try {
      Process p = new ProcessBuilder("chown", "-R", ctx.runAs() + ":" + ctx.runAs(), dir.toString())
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) throw new IOException("chown " + dir + ": " + out.trim());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /**
   * Like the kubelet: the files go into a fresh directory, and a "..data" symlink is swapped to it in one
   * rename, so a reader (etcd re-reading its certificate and key) never sees a mix of old and new files.
   */
  private static void writeAtomically(Path dir, Map<String, byte[]> byPath) throws IOException {
    Path fresh = dir.resolve("..data-" + System.nanoTime());
    Files.createDirectories(fresh);
    for (Map.Entry<String, byte[]> f : byPath.entrySet()) {
      Path target = fresh.resolve(f.getKey());
      Files.createDirectories(target.getParent());
      Files.write(target, f.getValue());
    }
    Path link = dir.resolve("..data");
    Path previous = Files.isSymbolicLink(link) ? dir.resolve(Files.readSymbolicLink(link)) : null;
    Path tmpLink = dir.resolve("..data_tmp");
    Files.deleteIfExists(tmpLink);
    Files.createSymbolicLink(tmpLink, fresh.getFileName());
    Files.move(tmpLink, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    for (String name : byPath.keySet()) {
      String top = Path.of(name).getName(0).toString();
      Path entry = dir.resolve(top);
      if (!Files.isSymbolicLink(entry)) {
        Files.deleteIfExists(entry);
        Files.createSymbolicLink(entry, Path.of("..data").resolve(top));
      }
    }
    if (previous != null && !previous.equals(fresh)) {
      FileTrees.delete(previous);
    }
  }
}
