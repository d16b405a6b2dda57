package io.etcdpilot.sandbox.kubelet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.etcdpilot.operator.pki.Pem;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The kubelet's HTTPS endpoint, as far as `kubectl logs` needs it: the API server proxies
 * {@code /containerLogs/NS/POD/CONTAINER} (with {@code follow}, {@code tailLines}) here, presenting its kubelet-client
 * certificate, which must be signed by the sandbox CA.
 */
public final class KubeletServer implements AutoCloseable {
  private final HttpsServer server;
  private final Kubelet.LogFiles logs;

  public KubeletServer(Path cert, Path key, Path ca, Kubelet.LogFiles logs) throws Exception {
    this.logs = logs;
    SSLContext tls = SSLContext.getInstance("TLS");
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("kubelet", Pem.privateKey(Files.readString(key)), new char[0],
        Pem.certificates(Files.readString(cert)).toArray(X509Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", Pem.certificate(Files.readString(ca)));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls) {
      @Override
      public void configure(HttpsParameters params) {
        var p = tls.getDefaultSSLParameters();
        p.setNeedClientAuth(true);
        params.setSSLParameters(p);
      }
    });
    server.createContext("/containerLogs/", this::containerLogs);
    server.createContext("/healthz", ex -> respond(ex, 200, "ok"));
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "kubelet-server");
      t.setDaemon(true);
      return t;
    }));
  }

  public int start() {
    server.start();
    return server.getAddress().getPort();
  }

  private void containerLogs(HttpExchange ex) throws IOException {
    String[] parts = ex.getRequestURI().getPath().split("/");
    if (parts.length != 5) {
      respond(ex, 404, "expected /containerLogs/NAMESPACE/POD/CONTAINER");
      return;
    }
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    Path file = logs.file(parts[2], parts[3], parts[4]);
    if (!Files.exists(file)) {
      respond(ex, 404, "container " + parts[4] + " of pod " + parts[2] + "/" + parts[3] + " has no log on this node");
      return;
    }
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody(); RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long start = 0;
      if (q.containsKey("tailLines")) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        int n = Integer.parseInt(q.get("tailLines"));
        String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        out.write((tail.isEmpty() ? "" : tail + "\n").getBytes(StandardCharsets.UTF_8));
        start = in.length();
      }
      in.seek(start);
      byte[] buf = new byte[8192];
      boolean follow = "true".equals(q.get("follow"));
      while (true) {
        int n = in.read(buf);
        if (n > 0) {
          out.write(buf, 0, n);
          out.flush();
        } else if (!follow) {
          return;
        } else {
          Thread.sleep(250);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException clientGone) {
      // kubectl logs -f ended
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) return out;
    for (String kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0) out.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static void respond(HttpExchange ex, int code, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(code, b.length);
    ex.getResponseBody().write(b);
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
