package dev.runnerguard.audit.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Typed configuration of audit-ingest, prefix {@code runnerguard.audit}. */
@ConfigMapping(prefix = "runnerguard.audit")
public interface AuditConfig {

  /** Storage of the chain. */
  Store store();

  /** The forwarding of stored events to SIEM sinks. */
  Sink sink();

  /** Query limits of the REST API. */
  Api api();

  /** Retention by age, with signed checkpoints where rows are pruned. */
  Retention retention();

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

    /** The Splunk HTTP Event Collector sink. */
    HecSink hec();

    /**
     * Syslog destinations by name ({@code runnerguard.audit.sink.syslog.<name>.*}); each is a sink
     * of its own named {@code syslog-<name>}, with its own position.
     */
    Map<String, SyslogSink> syslog();
  }

  interface HecSink {
    /** Whether stored events are forwarded to Splunk HEC. */
    @WithDefault("false")
    boolean enabled();

    /** Base URL of the HEC endpoint, e.g. {@code https://splunk.example:8088}. */
    Optional<String> url();

    /**
     * The HEC token; read with {@code support.SecretSettings} from the environment ({@code
     * RUNNERGUARD_AUDIT_SINK_HEC_TOKEN}) or {@link #tokenFile()}, never from a system property.
     */
    Optional<String> token();

    /** File holding the HEC token ({@code RUNNERGUARD_AUDIT_SINK_HEC_TOKEN_FILE}). */
    Optional<String> tokenFile();

    /** Splunk index; empty: the token's default index. */
    Optional<String> index();

    /** {@code sourcetype} of every event. */
    @WithDefault("ocsf:runnerguard")
    String sourcetype();

    /** {@code source} of every event. */
    @WithDefault("runnerguard:audit-ingest")
    String source();

    /** Timeout of one HTTP request (connect and answer). */
    @WithDefault("10s")
    Duration requestTimeout();

    /** First wait between two polls of {@code /services/collector/ack}; doubles up to 1 s. */
    @WithDefault("50ms")
    Duration ackPollInterval();

    /**
     * How long a sent batch may wait for its indexer acknowledgement; after that the batch is sent
     * again (at-least-once: the indexer may have lost it).
     */
    @WithDefault("60s")
    Duration ackTimeout();

    /** Path to a PEM CA bundle to trust for {@code https} (empty: the JVM's trust store). */
    Optional<String> caFile();
  }

  interface SyslogSink {
    /** Whether this destination is forwarded to. */
    @WithDefault("true")
    boolean enabled();

    /** Host of the syslog receiver. */
    String host();

    /** Port (RFC 6587 TCP usually 514 or 601, RFC 5425 TLS 6514). */
    int port();

    /** {@code tcp} (RFC 6587) or {@code tls} (RFC 5425); octet-counting framing on both. */
    @WithDefault("tcp")
    String transport();

    /** Message body: {@code json} (the OCSF event) or {@code cef} (ArcSight CEF). */
    @WithDefault("json")
    String format();

    /** Syslog facility number (RFC 5424: 13 = log audit). */
    @WithDefault("13")
    int facility();

    /** HOSTNAME field; empty: this machine's name. */
    Optional<String> hostname();

    /** APP-NAME field. */
    @WithDefault("runnerguard")
    String appName();

    /** SD-ID of the structured data element carrying seq and ids (RFC 5612 example PEN 32473). */
    @WithDefault("runnerguard@32473")
    String sdId();

    /** PEM CA bundle to trust for {@code tls} (empty: the JVM's trust store). */
    Optional<String> caFile();

    /** Verify that the server certificate names {@link #host()} (tls). */
    @WithDefault("true")
    boolean verifyHostname();

    /** Connect and write timeout. */
    @WithDefault("10s")
    Duration timeout();
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

  interface Retention {
    /** Whether rows older than {@link #maxAge()} are pruned (needs a checkpoint key). */
    @WithDefault("false")
    boolean enabled();

    /** Age (by {@code stored_at}) after which rows are pruned. */
    @WithDefault("400d")
    Duration maxAge();

    /** How often retention runs. */
    @WithDefault("1h")
    Duration interval();

    /**
     * The HMAC-SHA256 key signing checkpoints (at least 32 bytes), from the environment ({@code
     * RUNNERGUARD_AUDIT_RETENTION_CHECKPOINT_KEY}) or {@link #checkpointKeyFile()}; also needed by
     * verify once anything was pruned.
     */
    Optional<String> checkpointKey();

    /** File holding the checkpoint key. */
    Optional<String> checkpointKeyFile();

    /** Label of the key, stored with each checkpoint (for key rotation). */
    @WithDefault("k1")
    String checkpointKeyId();
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
