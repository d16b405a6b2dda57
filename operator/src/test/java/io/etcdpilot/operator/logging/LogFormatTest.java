package io.etcdpilot.operator.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogFormatTest {
  @Test
  void jsonLinesCarryTheClusterOfTheReconcileAndTheFormattedMessage() throws Exception {
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      LogFormat.JSON.apply();
      var log = LoggerFactory.getLogger("io.etcdpilot.operator.cluster.Example");
      try (var lines = LogFormat.forCluster("prod", "main")) {
        log.info("restarting {}", "main-2");
      }
      log.info("between passes");
      java.util.logging.Logger.getLogger("io.grpc.internal.ManagedChannelImpl").warning("Failed to resolve name");
    } finally {
      System.setOut(out);
      context.reset();
      new ContextInitializer(context).autoConfig(); // back to logback-test.xml for the other tests
      org.slf4j.bridge.SLF4JBridgeHandler.uninstall();
    }
    String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\n");
    assertThat(lines).hasSize(3);
    JsonNode first = new ObjectMapper().readTree(lines[0]);
    assertThat(first.path("level").asText()).isEqualTo("INFO");
    assertThat(first.path("loggerName").asText()).isEqualTo("io.etcdpilot.operator.cluster.Example");
    assertThat(first.path("formattedMessage").asText()).isEqualTo("restarting main-2");
    assertThat(first.path("mdc").path("namespace").asText()).isEqualTo("prod");
    assertThat(first.path("mdc").path("cluster").asText()).isEqualTo("main");
    assertThat(first.path("timestamp").asLong()).isPositive();
    assertThat(new ObjectMapper().readTree(lines[1]).path("mdc").has("cluster")).as("outside the reconcile").isFalse();
    JsonNode grpc = new ObjectMapper().readTree(lines[2]);
    assertThat(grpc.path("loggerName").asText()).as("java.util.logging, as gRPC logs").isEqualTo("io.grpc.internal.ManagedChannelImpl");
    assertThat(grpc.path("level").asText()).isEqualTo("WARN");
  }

  @Test
  void anUnknownFormatNamesTheFlag() {
    assertThatThrownBy(() -> LogFormat.of("yaml")).hasMessageContaining("--log-format").hasMessageContaining("yaml");
    assertThat(LogFormat.of(" JSON ")).isEqualTo(LogFormat.JSON);
  }
}
