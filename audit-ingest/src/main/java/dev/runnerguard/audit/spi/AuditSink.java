package dev.runnerguard.audit.spi;

import dev.runnerguard.audit.store.StoredEvent;
import java.util.List;

/**
 * A SIEM destination for stored OCSF events. Implementations are CDI beans named {@code
 * <Impl>AuditSink} ({@code KafkaAuditSink}, {@code HecAuditSink}; syslog destinations come from
 * {@link AuditSinkProvider}, {@code SyslogAuditSink}). The {@code SinkForwarder} gives each enabled
 * sink its own thread and durable position ({@code sink_position}): it hands the sink the rows
 * after its position in seq order and advances the position only after {@link #deliver} returned,
 * so delivery is at-least-once and one sink's outage neither loses events nor stalls storage or the
 * other sinks.
 */
public interface AuditSink {

  /** The sink's stable name: its {@code sink_position} key and metric tag. */
  String name();

  /** Whether the sink is configured to run. */
  boolean enabled();

  /**
   * Delivers a batch and returns only once the destination acknowledged every event of it.
   *
   * @throws Exception when any event was not acknowledged; the whole batch is retried later. A
   *     {@link SinkException} says whether the failure is retriable or permanent; any other
   *     exception counts as retriable.
   */
  void deliver(List<StoredEvent> batch) throws Exception;
}
