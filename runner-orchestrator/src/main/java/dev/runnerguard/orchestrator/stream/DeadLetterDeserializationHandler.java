package dev.runnerguard.orchestrator.stream;

import dev.runnerguard.schemas.ConsumingChannel;
import dev.runnerguard.schemas.RecordHeaders;
import dev.runnerguard.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.jboss.logging.Logger;

/**
 * Poison records (bytes that do not decode) go to the consuming channel's dead-letter topic with
 * the reason and origin in headers, then processing continues. If the dead-letter write fails the
 * stream stops rather than drop the record.
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {
  private static final Logger LOG = Logger.getLogger(DeadLetterDeserializationHandler.class);

  /** Source topic to the orchestrator's consuming channel. */
  static final Map<String, ConsumingChannel> CHANNELS =
      Map.of(
          Topics.RUNNER_ADMISSION.topicName(), ConsumingChannel.ORCHESTRATOR_ADMISSION,
          Topics.WORKFLOW_JOB.topicName(), ConsumingChannel.ORCHESTRATOR_WORKFLOW_JOB,
          Topics.RUNNER_COMMAND.topicName(), ConsumingChannel.ORCHESTRATOR_COMMAND);

  private KafkaProducer<byte[], byte[]> producer;

  @Override
  public void configure(Map<String, ?> configs) {
    Map<String, Object> p = new HashMap<>();
    p.put(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        configs.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "runner-orchestrator-dlt");
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** The dead-letter topic for a source topic. */
  static String deadLetterTopic(String topic) {
    return Optional.ofNullable(CHANNELS.get(topic))
        .map(ConsumingChannel::deadLetterTopic)
        .orElse(topic + Topics.DEAD_LETTER_INFIX + "orchestrator");
  }

  @Override
  public DeserializationHandlerResponse handle(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    String dlt = deadLetterTopic(record.topic());
    String origin = record.topic() + "-" + record.partition() + "@" + record.offset();
    String reason =
        exception.getMessage() == null
            ? exception.getClass().getSimpleName()
            : exception.getMessage();
    ProducerRecord<byte[], byte[]> out =
        new ProducerRecord<>(dlt, null, record.key(), record.value());
    out.headers().add(RecordHeaders.DLT_REASON, reason.getBytes(StandardCharsets.UTF_8));
    out.headers().add(RecordHeaders.DLT_ORIGIN, origin.getBytes(StandardCharsets.UTF_8));
    try {
      producer.send(out).get(30, TimeUnit.SECONDS);
      LOG.warnf("poison record %s sent to %s: %s", origin, dlt, reason);
      return DeserializationHandlerResponse.CONTINUE;
    } catch (Exception e) {
      LOG.errorf("could not dead-letter %s to %s: %s", origin, dlt, e.toString());
      return DeserializationHandlerResponse.FAIL;
    }
  }
}
