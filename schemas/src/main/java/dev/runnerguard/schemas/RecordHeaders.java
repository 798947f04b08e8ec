package dev.runnerguard.schemas;

/**
 * Kafka record header names every producer of the platform sets, so a consumer, the audit trail or
 * an operator with a console can correlate a record without decoding its value. Values are UTF-8
 * strings. None may ever hold a secret.
 */
public final class RecordHeaders {
  /** The event id of the record's metadata. */
  public static final String EVENT_ID = "rg-event-id";

  /** The producing service. */
  public static final String PRODUCER = "rg-producer";

  /** GitHub's {@code X-GitHub-Delivery} id, when the record came from a webhook. */
  public static final String DELIVERY_ID = "rg-delivery-id";

  /** GitHub's {@code X-GitHub-Event}, when the record came from a webhook. */
  public static final String GITHUB_EVENT = "rg-github-event";

  /** W3C trace context. */
  public static final String TRACEPARENT = "traceparent";

  /** W3C trace state. */
  public static final String TRACESTATE = "tracestate";

  /** On a dead-letter record: why it was dead-lettered (no record content). */
  public static final String DLT_REASON = "rg-dlt-reason";

  /** On a dead-letter record: topic, partition and offset it came from, as {@code topic-p@o}. */
  public static final String DLT_ORIGIN = "rg-dlt-origin";

  private RecordHeaders() {}
}
