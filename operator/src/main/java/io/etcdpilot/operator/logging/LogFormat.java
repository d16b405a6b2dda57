package io.etcdpilot.operator.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * How the operator writes its log: text (logback.xml, the default) or one JSON object per line. Either way a
 * reconcile's lines carry the MDC keys {@link #NAMESPACE} and {@link #CLUSTER}.
 */
public enum LogFormat {
  TEXT, JSON;

  public static final String NAMESPACE = "namespace";
  public static final String CLUSTER = "cluster";

  public static LogFormat of(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--log-format: expected text or json, got '" + value + "'");
    }
  }

  /**
   * Switches the root logger to this format (text is what logback.xml already sets up), and routes
   * java.util.logging (gRPC's) into it, so that every line of the process has the one format.
   */
  public void apply() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return;
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    // JUL asks its own levels first: keep them in step with logback's, or every FINE record is built for nothing.
    ch.qos.logback.classic.jul.LevelChangePropagator levels = new ch.qos.logback.classic.jul.LevelChangePropagator();
    levels.setContext(context);
    levels.setResetJUL(true);
    context.addListener(levels);
    levels.start();
    if (this == TEXT) return;
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    // What a log pipeline indexes: time, level, thread, logger, MDC, the formatted message, the stack trace.
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    encoder.setWithArguments(false);
    encoder.setWithMessage(false);
    encoder.setWithFormattedMessage(true);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("json");
    console.setEncoder(encoder);
    console.start();
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    root.addAppender(console);
  }

  /** A thread's lines about one cluster, until closed. */
  public interface ClusterLines extends AutoCloseable {
    @Override
    void close();
  }

  /** Marks the current thread's lines as about one cluster until closed. */
  public static ClusterLines forCluster(String namespace, String cluster) {
    MDC.put(NAMESPACE, namespace);
    MDC.put(CLUSTER, cluster);
    return () -> {
      MDC.remove(NAMESPACE);
      MDC.remove(CLUSTER);
    };
  }
}
