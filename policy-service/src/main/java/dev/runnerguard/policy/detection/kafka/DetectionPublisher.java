package dev.runnerguard.policy.detection.kafka;

import dev.runnerguard.schemas.RecordHeaders;
import dev.runnerguard.schemas.avro.EventMetadata;
import dev.runnerguard.schemas.avro.Finding;
import dev.runnerguard.schemas.avro.RunnerCommand;
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
 * Produces detection output and returns once the broker acknowledged ({@code acks=all}, idempotent
 * producers, see application.properties): findings on channel {@code finding-out} ({@code
 * runner.finding}), commands on {@code command-out} ({@code runner.command}), both keyed by runner
 * id ({@code -} when a finding names none); state snapshots on {@code detection-state-out} (the
 * compacted state topic, key runner id, JSON, null value = tombstone).
 */
@ApplicationScoped
public class DetectionPublisher {
  /** Header naming the service instance that wrote a state record. */
  public static final String INSTANCE_HEADER = "rg-instance";

  private final EventCodec<Finding> findings = EventCodec.of(Finding.class);
  private final EventCodec<RunnerCommand> commands = EventCodec.of(RunnerCommand.class);
  private final MutinyEmitter<byte[]> findingOut;
  private final MutinyEmitter<byte[]> commandOut;
  private final MutinyEmitter<byte[]> stateOut;

  public DetectionPublisher(
      @Channel("finding-out") MutinyEmitter<byte[]> findingOut,
      @Channel("command-out") MutinyEmitter<byte[]> commandOut,
      @Channel("detection-state-out") MutinyEmitter<byte[]> stateOut) {
    this.findingOut = findingOut;
    this.commandOut = commandOut;
    this.stateOut = stateOut;
  }

  /** Sends a finding and waits for the acknowledgement. */
  public void finding(Finding f, Duration timeout) {
    send(
        findingOut,
        f.getRunnerId() == null ? "-" : f.getRunnerId(),
        findings.encode(f),
        headers(f.getMetadata()),
        timeout);
  }

  /** Sends a command and waits for the acknowledgement. */
  public void command(RunnerCommand c, Duration timeout) {
    send(commandOut, c.getRunnerId(), commands.encode(c), headers(c.getMetadata()), timeout);
  }

  /** Sends a state snapshot (null value: tombstone) and waits for the acknowledgement. */
  public void state(String runnerId, byte[] json, String instance, Duration timeout) {
    Headers h = new org.apache.kafka.common.header.internals.RecordHeaders();
    header(h, INSTANCE_HEADER, instance);
    header(h, RecordHeaders.PRODUCER, "policy-service");
    send(stateOut, runnerId, json, h, timeout);
  }

  private static void send(
      MutinyEmitter<byte[]> emitter, String key, byte[] value, Headers headers, Duration timeout) {
    OutgoingKafkaRecordMetadata<String> kafka =
        OutgoingKafkaRecordMetadata.<String>builder().withKey(key).withHeaders(headers).build();
    emitter.sendMessage(Message.of(value).addMetadata(kafka)).await().atMost(timeout);
  }

  private static Headers headers(EventMetadata meta) {
    Headers headers = new org.apache.kafka.common.header.internals.RecordHeaders();
    header(headers, RecordHeaders.EVENT_ID, meta.getEventId());
    header(headers, RecordHeaders.PRODUCER, meta.getProducer().getService());
    header(headers, RecordHeaders.TRACEPARENT, meta.getTrace().getTraceparent());
    header(headers, RecordHeaders.TRACESTATE, meta.getTrace().getTracestate());
    return headers;
  }

  private static void header(Headers headers, String name, String value) {
    if (value != null) {
      headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
  }
}
