package io.etcdpilot.operator.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthListenersTest {
  static final HttpHandler OK = ex -> {
    ex.sendResponseHeaders(200, 2);
    ex.getResponseBody().write("ok".getBytes());
    ex.close();
  };

  @Test
  void aPodAddressIsServedWithLoopbackBesideIt() throws Exception {
    assertThat(HealthListeners.plan("10.1.2.3", 8081)).containsExactly(
        new HealthListeners.Listener(new InetSocketAddress("10.1.2.3", 8081), true),
        new HealthListeners.Listener(new InetSocketAddress("127.0.0.1", 8081), false));
    assertThat(HealthListeners.plan("fd00::5", 8081)).extracting(l -> l.address().getAddress().getHostAddress())
        .containsExactly("fd00:0:0:0:0:0:0:5", "0:0:0:0:0:0:0:1");
    // A loopback pod address (the sandbox's pods) is served once.
    assertThat(HealthListeners.plan("127.102.0.9", 8081)).hasSize(1);
    assertThat(HealthListeners.plan("", 8081)).singleElement()
        .satisfies(l -> assertThat(l.address().getAddress().isAnyLocalAddress()).isTrue());
  }

  @Test
  void aTakenOptionalAddressIsSkippedAndATakenRequiredOneStopsTheStart() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      port = probe.getLocalPort();
    }
    try (ServerSocket taken = new ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      List<HttpServer> servers = HealthListeners.start(List.of(
          new HealthListeners.Listener(new InetSocketAddress("127.0.0.2", port), true),
          new HealthListeners.Listener(new InetSocketAddress("127.0.0.1", port), false)), Map.of("/healthz", OK));
      try {
        assertThat(servers).hasSize(1);
        HttpResponse<String> r = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.2:" + port + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).isEqualTo("ok");
      } finally {
        servers.forEach(s -> s.stop(0));
      }
      assertThatThrownBy(() -> HealthListeners.start(List.of(
          new HealthListeners.Listener(new InetSocketAddress("127.0.0.1", port), true)), Map.of("/healthz", OK)))
          .isInstanceOf(BindException.class);
    }
  }
}
