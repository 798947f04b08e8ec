package dev.runnerguard.audit.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Typed configuration of audit-ingest, prefix {@code runnerguard.audit}. */
@ConfigMapping(prefix = "runnerguard.audit")
public interface AuditConfig {

  /** Storage of the chain. */
  Store store();

  /** The forwarding of stored events to SIEM sinks. */
  Sink sink();

  /** Query limits of the REST API. */
  Api api();

  interface Store {
    /**
     * Longest wait between retries of a retriable storage failure (PostgreSQL down, connection
     * lost, serialization failure). Retries go on until the store answers; the consumer stalls
     * rather than dead-letters a valid event.
     */
    @WithDefault("10s")
    Duration retryBackoffMax();
  }

  interface Sink {
    /** Events a sink is handed per delivery. */
    @WithDefault("500")
    int batchSize();

    /** How often a sink with nothing to forward looks for new rows. */
    @WithDefault("200ms")
    Duration pollInterval();

    /** Longest wait between retries after a failed delivery. */
    @WithDefault("10s")
    Duration retryBackoffMax();

    /** The Kafka sink ({@code audit.ocsf}). */
    KafkaSink kafka();
  }

  interface KafkaSink {
    /** Whether stored events are forwarded to the Kafka topic. */
    @WithDefault("true")
    boolean enabled();

    /** Topic the OCSF JSON goes to (key: event id). */
    @WithDefault("audit.ocsf")
    String topic();

    /** How long one batch may wait for the broker's acknowledgements. */
    @WithDefault("30s")
    Duration ackTimeout();
  }

  interface Api {
    /** Default number of events a timeline, job or findings query answers. */
    @WithDefault("500")
    int defaultLimit();

    /** Largest accepted {@code limit}. */
    @WithDefault("5000")
    int maxLimit();
  }
}
