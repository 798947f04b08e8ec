package dev.runnerguard.policy.output;

import dev.runnerguard.schemas.RecordHeaders;
import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.avro.EventMetadata;
import dev.runnerguard.schemas.serde.EventCodec;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Produces admission decisions on channel {@code admission-out} (topic {@code runner.admission}):
 * key = job id, value = Avro single-object bytes, correlation headers. {@link #publish} returns
 * once the broker acknowledged ({@code acks=all}, idempotent producer, see application.properties).
 */
@ApplicationScoped
public class AdmissionPublisher {
  private final EventCodec<AdmissionDecision> codec = EventCodec.of(AdmissionDecision.class);
  private final MutinyEmitter<byte[]> emitter;

  public AdmissionPublisher(@Channel("admission-out") MutinyEmitter<byte[]> emitter) {
    this.emitter = emitter;
  }

  /** Sends one decision and waits for the broker's acknowledgement. */
  public void publish(AdmissionDecision decision, Duration timeout) {
    Headers headers = new org.apache.kafka.common.header.internals.RecordHeaders();
    EventMetadata meta = decision.getMetadata();
    header(headers, RecordHeaders.EVENT_ID, meta.getEventId());
    header(headers, RecordHeaders.PRODUCER, meta.getProducer().getService());
    header(headers, RecordHeaders.DELIVERY_ID, meta.getCorrelation().getDeliveryId());
    header(headers, RecordHeaders.TRACEPARENT, meta.getTrace().getTraceparent());
    header(headers, RecordHeaders.TRACESTATE, meta.getTrace().getTracestate());
    OutgoingKafkaRecordMetadata<String> kafka =
        OutgoingKafkaRecordMetadata.<String>builder()
            .withKey(Long.toString(decision.getJobId()))
            .withHeaders(headers)
            .build();
    emitter
        .sendMessage(Message.of(codec.encode(decision)).addMetadata(kafka))
        .await()
        .atMost(timeout);
  }

  private static void header(Headers headers, String name, String value) {
    if (value != null) {
      headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
  }
}
