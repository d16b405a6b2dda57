package io.etcdpilot.operator.health;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where /healthz, /readyz and /metrics listen. In a pod: its own address (the kubelet's probes and Prometheus dial
 * it) and loopback (`kubectl port-forward` dials it inside the pod), not every interface; outside a pod, every
 * address.
 */
public final class HealthListeners {
  private static final Logger log = LoggerFactory.getLogger(HealthListeners.class);

  /** One address to listen on; a required one that cannot be bound stops the operator. */
  public record Listener(InetSocketAddress address, boolean required) {}

  private HealthListeners() {}

  /** @param address an IP literal, or empty for every address */
  public static List<Listener> plan(String address, int port) throws IOException {
    if (address.isEmpty()) return List.of(new Listener(new InetSocketAddress(port), true));
    InetAddress own = InetAddress.getByName(address);
    List<Listener> out = new ArrayList<>(List.of(new Listener(new InetSocketAddress(own, port), true)));
    if (!own.isLoopbackAddress()) {
      // Port-forward is a convenience: a sidecar holding the loopback port must not stop the probes.
      InetAddress loopback = InetAddress.getByName(own instanceof Inet6Address ? "::1" : "127.0.0.1");
      out.add(new Listener(new InetSocketAddress(loopback, port), false));
    }
    return out;
  }

  /** Starts one server per listener with the same handlers; returns the servers started. */
  public static List<HttpServer> start(List<Listener> listeners, Map<String, HttpHandler> handlers) throws IOException {
    List<HttpServer> started = new ArrayList<>();
    for (Listener l : listeners) {
      HttpServer server;
      try {
        server = HttpServer.create(l.address(), 0);
      } catch (BindException e) {
        if (l.required()) throw e;
        log.warn("/healthz, /readyz and /metrics are not served on {}: {}", l.address(), e.getMessage());
        continue;
      }
      handlers.forEach(server::createContext);
      server.setExecutor(null);
      server.start();
      started.add(server);
    }
    return started;
  }
}
