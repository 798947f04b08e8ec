package dev.runnerguard.audit.spi;

import java.util.List;

/**
 * A CDI bean supplying several {@link AuditSink}s from configuration (e.g. one per syslog
 * destination, {@code SyslogAuditSinkProvider}). The {@code SinkForwarder} runs each of them like a
 * sink bean: own thread, own durable position under the sink's {@link AuditSink#name()}.
 */
public interface AuditSinkProvider {

  /** The configured sinks (enabled or not). */
  List<AuditSink> sinks();
}
