package dev.runnerguard.schemas.serde;

import dev.runnerguard.schemas.avro.Correlation;
import dev.runnerguard.schemas.avro.EventMetadata;
import dev.runnerguard.schemas.avro.ProducerInfo;
import dev.runnerguard.schemas.avro.TraceContext;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;

/**
 * Builds the {@link EventMetadata} of events one service produces: a random UUID event id, the
 * current time (millisecond precision, as the schema stores it), the service's name and version,
 * and the trace context and correlation ids the caller knows.
 */
public final class EventMetadataFactory {

  private final ProducerInfo producer;
  private final Clock clock;

  /** A factory for a service, using the system UTC clock. */
  public EventMetadataFactory(String service, String version) {
    this(service, version, Clock.systemUTC());
  }

  /** A factory for a service with a given clock. */
  public EventMetadataFactory(String service, String version, Clock clock) {
    this.producer =
        new ProducerInfo(
            Objects.requireNonNull(service, "service"), Objects.requireNonNull(version, "version"));
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Metadata without trace context or correlation ids. */
  public EventMetadata create() {
    return create(noTrace(), noCorrelation());
  }

  /** Metadata with correlation ids and no trace context. */
  public EventMetadata create(Correlation correlation) {
    return create(noTrace(), correlation);
  }

  /** Metadata with trace context and correlation ids (null for none). */
  public EventMetadata create(TraceContext trace, Correlation correlation) {
    return EventMetadata.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setTime(clock.instant().truncatedTo(ChronoUnit.MILLIS))
        .setProducer(ProducerInfo.newBuilder(producer).build())
        .setTrace(trace == null ? noTrace() : trace)
        .setCorrelation(correlation == null ? noCorrelation() : correlation)
        .build();
  }

  /** Correlation ids; any may be null. */
  public static Correlation correlation(
      String deliveryId, Long jobId, Long runId, String runnerId) {
    return new Correlation(deliveryId, jobId, runId, runnerId);
  }

  /** A W3C trace context; either may be null. */
  public static TraceContext trace(String traceparent, String tracestate) {
    return new TraceContext(traceparent, tracestate);
  }

  private static TraceContext noTrace() {
    return new TraceContext(null, null);
  }

  private static Correlation noCorrelation() {
    return new Correlation(null, null, null, null);
  }
}
