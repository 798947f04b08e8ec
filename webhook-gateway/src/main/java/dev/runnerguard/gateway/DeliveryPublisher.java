package dev.runnerguard.gateway;

import dev.runnerguard.schemas.RecordHeaders;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventCodec;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes verified deliveries to Kafka. The returned future completes only when the broker has
 * acknowledged the record with {@code acks=all} through an idempotent producer, so the HTTP layer
 * can answer 202 exactly for what is stored.
 *
 * <p>The gateway uses the Kafka producer directly rather than a messaging channel because it must
 * tie each HTTP answer to the broker acknowledgement of that one record, within a bound.
 */
public final class DeliveryPublisher implements AutoCloseable {
  private final Producer<String, byte[]> producer;
  private final String workflowJobTopic;
  private final EventCodec<WorkflowJobEvent> codec = EventCodec.of(WorkflowJobEvent.class);

  public DeliveryPublisher(Producer<String, byte[]> producer, String workflowJobTopic) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.workflowJobTopic = Objects.requireNonNull(workflowJobTopic, "workflowJobTopic");
  }

  /**
   * Producer settings for loss-free intake: idempotent, {@code acks=all}, and a delivery timeout
   * that bounds how long a record may wait for the broker.
   */
  public static Properties producerProperties(String bootstrapServers, int deliveryTimeoutMs) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    int requestTimeout = Math.max(1_000, deliveryTimeoutMs - 1_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, deliveryTimeoutMs);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, deliveryTimeoutMs);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "webhook-gateway");
    return props;
  }

  /** Creates a publisher with its own Kafka producer. */
  public static DeliveryPublisher create(Properties producerProperties, String workflowJobTopic) {
    return new DeliveryPublisher(new KafkaProducer<>(producerProperties), workflowJobTopic);
  }

  /** The record for one workflow_job delivery: keyed by job id, with correlation headers. */
  public ProducerRecord<String, byte[]> toRecord(WorkflowJobEvent event) {
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(
            workflowJobTopic, Long.toString(event.getJobId()), codec.encode(event));
    var metadata = event.getMetadata();
    header(record, RecordHeaders.EVENT_ID, metadata.getEventId());
    header(record, RecordHeaders.PRODUCER, metadata.getProducer().getService());
    header(record, RecordHeaders.DELIVERY_ID, metadata.getCorrelation().getDeliveryId());
    header(record, RecordHeaders.GITHUB_EVENT, "workflow_job");
    header(record, RecordHeaders.TRACEPARENT, metadata.getTrace().getTraceparent());
    header(record, RecordHeaders.TRACESTATE, metadata.getTrace().getTracestate());
    return record;
  }

  /** Sends the event; the future completes when the broker acknowledged it. */
  public CompletableFuture<RecordMetadata> publish(WorkflowJobEvent event) {
    CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
    try {
      producer.send(
          toRecord(event),
          (metadata, error) -> {
            if (error != null) {
              acked.completeExceptionally(error);
            } else {
              acked.complete(metadata);
            }
          });
    } catch (RuntimeException e) {
      acked.completeExceptionally(e);
    }
    return acked;
  }

  private static void header(ProducerRecord<String, byte[]> record, String name, String value) {
    if (value != null) {
      record.headers().add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
