package dev.runnerguard.gateway;

import dev.runnerguard.schemas.RecordHeaders;
import dev.runnerguard.schemas.avro.DeliveryReceipt;
import dev.runnerguard.schemas.avro.EventMetadata;
import dev.runnerguard.schemas.avro.GitHubWebhookEvent;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventCodec;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
  /** Topic names the publisher writes to (mapped in configuration). */
  public record Topics(
      String workflowJob, String workflowRun, String installation, String delivery) {
    public Topics {
      Objects.requireNonNull(workflowJob, "workflowJob");
      Objects.requireNonNull(workflowRun, "workflowRun");
      Objects.requireNonNull(installation, "installation");
      Objects.requireNonNull(delivery, "delivery");
    }

    /** The platform's default topic names. */
    public static Topics defaults() {
      return new Topics(
          dev.runnerguard.schemas.Topics.WORKFLOW_JOB.topicName(),
          dev.runnerguard.schemas.Topics.WORKFLOW_RUN.topicName(),
          dev.runnerguard.schemas.Topics.INSTALLATION.topicName(),
          dev.runnerguard.schemas.Topics.DELIVERY.topicName());
    }
  }

  /** The producer's {@code buffer.memory} when not set: Kafka's default. */
  static final long DEFAULT_BUFFER_MEMORY = 32L * 1024 * 1024;

  /**
   * How long after a topic's last acknowledgement a send to it is known not to wait for metadata:
   * well inside the producer's {@code metadata.max.idle.ms} (5 minutes), after which it forgets an
   * idle topic and the next send waits for a metadata fetch.
   */
  static final long METADATA_FRESH_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final Producer<String, byte[]> producer;
  private final Topics topics;
  private final long directBudgetBytes;
  private final AtomicLong unackedBytes = new AtomicLong();
  private final Map<String, Long> lastAck = new ConcurrentHashMap<>();
  private final EventCodec<WorkflowJobEvent> jobs = EventCodec.of(WorkflowJobEvent.class);
  private final EventCodec<GitHubWebhookEvent> generic = EventCodec.of(GitHubWebhookEvent.class);
  private final EventCodec<DeliveryReceipt> receipts = EventCodec.of(DeliveryReceipt.class);

  public DeliveryPublisher(Producer<String, byte[]> producer, Topics topics) {
    this(producer, topics, DEFAULT_BUFFER_MEMORY);
  }

  /**
   * @param bufferMemory the producer's {@code buffer.memory}: {@link #publish(ProducerRecord,
   *     Executor)} sends directly only while less than half of it holds unacknowledged records
   */
  public DeliveryPublisher(Producer<String, byte[]> producer, Topics topics, long bufferMemory) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topics = Objects.requireNonNull(topics, "topics");
    this.directBudgetBytes = bufferMemory / 2;
  }

  /**
   * Producer settings for loss-free intake: idempotent, {@code acks=all}, and a delivery timeout
   * that bounds how long a record may wait for the broker.
   *
   * <p>No batch compression: nearly all of a record is its raw body, already compressed (an LZ4
   * frame), which batch compression hardly shrinks (measured when the body was gzipped: a 10 KB
   * delivery was 2,487 bytes of Avro, 2,481 after lz4), while lz4 cost a 64 KB block buffer per
   * batch on the producer (batches here hold a record or two) and a decompression on the broker and
   * on every consumer.
   */
  public static Properties producerProperties(String bootstrapServers, int deliveryTimeoutMs) {
    return producerProperties(bootstrapServers, deliveryTimeoutMs, DEFAULT_LINGER_MS);
  }

  /** The gateway's {@code runnerguard.gateway.producer-linger} default, in ms. */
  public static final int DEFAULT_LINGER_MS = 5;

  /**
   * {@link #producerProperties(String, int)} with the producer's {@code linger.ms}, which must
   * leave at least half of the delivery timeout for the broker.
   */
  public static Properties producerProperties(
      String bootstrapServers, int deliveryTimeoutMs, int lingerMs) {
    if (lingerMs < 0 || lingerMs > deliveryTimeoutMs / 2) {
      throw new IllegalArgumentException(
          "runnerguard.gateway.producer-linger must be between 0 and half the ack timeout ("
              + deliveryTimeoutMs / 2
              + " ms), was "
              + lingerMs
              + " ms");
    }
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    int requestTimeout = Math.max(500, deliveryTimeoutMs - 500);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, deliveryTimeoutMs);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, deliveryTimeoutMs);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "webhook-gateway");
    return props;
  }

  /** Creates a publisher with its own Kafka producer. */
  public static DeliveryPublisher create(Properties producerProperties, Topics topics) {
    Object memory = producerProperties.get(ProducerConfig.BUFFER_MEMORY_CONFIG);
    long bufferMemory =
        memory == null ? DEFAULT_BUFFER_MEMORY : Long.parseLong(memory.toString().trim());
    return new DeliveryPublisher(new KafkaProducer<>(producerProperties), topics, bufferMemory);
  }

  /** The record for one workflow_job delivery: keyed by job id, with correlation headers. */
  public ProducerRecord<String, byte[]> record(WorkflowJobEvent event) {
    return withHeaders(
        new ProducerRecord<>(
            topics.workflowJob(), Long.toString(event.getJobId()), jobs.encode(event)),
        event.getMetadata(),
        "workflow_job");
  }

  /** The record for an installation or workflow_run delivery, on that event's topic. */
  public ProducerRecord<String, byte[]> record(String key, GitHubWebhookEvent event) {
    String topic =
        switch (event.getEvent()) {
          case "installation" -> topics.installation();
          case "workflow_run" -> topics.workflowRun();
          default -> throw new IllegalArgumentException("no topic for event " + event.getEvent());
        };
    return withHeaders(
        new ProducerRecord<>(topic, key, generic.encode(event)),
        event.getMetadata(),
        event.getEvent());
  }

  /** The receipt marking a delivery id as accepted, keyed by the delivery id. */
  public ProducerRecord<String, byte[]> record(DeliveryReceipt receipt) {
    return withHeaders(
        new ProducerRecord<>(topics.delivery(), receipt.getDeliveryId(), receipts.encode(receipt)),
        receipt.getMetadata(),
        receipt.getEvent());
  }

  /**
   * Sends a record; the future completes when the broker acknowledged it. {@code send} may block
   * (up to {@code max.block.ms}) while the topic's metadata is unknown or the producer's buffer is
   * full, so callers on an event loop use {@link #publish(ProducerRecord, Executor)}.
   */
  public CompletableFuture<RecordMetadata> publish(ProducerRecord<String, byte[]> record) {
    CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
    long size = sizeOf(record);
    unackedBytes.addAndGet(size);
    try {
      producer.send(
          record,
          (metadata, error) -> {
            unackedBytes.addAndGet(-size);
            if (error != null) {
              acked.completeExceptionally(error);
            } else {
              markFresh(metadata.topic());
              acked.complete(metadata);
            }
          });
    } catch (RuntimeException e) {
      unackedBytes.addAndGet(-size);
      acked.completeExceptionally(e);
    }
    return acked;
  }

  /**
   * Sends a record without ever blocking the caller: straight to the producer when its {@code send}
   * cannot block (the topic was acknowledged within the last minute, so its metadata is cached, and
   * less than half of {@code buffer.memory} holds unacknowledged records), else on {@code
   * blocking}, where a send may wait for metadata or buffer space. While the broker is healthy
   * every send is direct: no thread hand-off per record.
   */
  public CompletableFuture<RecordMetadata> publish(
      ProducerRecord<String, byte[]> record, Executor blocking) {
    if (canSendDirectly(record.topic())) {
      return publish(record);
    }
    return CompletableFuture.supplyAsync(() -> publish(record), blocking)
        .thenCompose(acked -> acked);
  }

  /**
   * True when a send to {@code topic} now cannot block (see {@link #publish(ProducerRecord,
   * Executor)}).
   */
  boolean canSendDirectly(String topic) {
    Long at = lastAck.get(topic);
    return at != null
        && System.nanoTime() - at < METADATA_FRESH_NANOS
        && unackedBytes.get() < directBudgetBytes;
  }

  /** Bytes of records sent and not yet acknowledged or failed. */
  long unackedBytes() {
    return unackedBytes.get();
  }

  private void markFresh(String topic) {
    long now = System.nanoTime();
    Long at = lastAck.get(topic);
    if (at == null || now - at > TimeUnit.SECONDS.toNanos(1)) { // one write a second per topic
      lastAck.put(topic, now);
    }
  }

  /** The record's share of the producer buffer: value, key, headers and per-record overhead. */
  private static long sizeOf(ProducerRecord<String, byte[]> record) {
    long size = 64 + (record.value() == null ? 0 : record.value().length);
    size += record.key() == null ? 0 : record.key().length();
    for (var header : record.headers()) {
      size += header.key().length() + (header.value() == null ? 0 : header.value().length);
    }
    return size;
  }

  /** Sends a workflow_job event (see {@link #record(WorkflowJobEvent)}). */
  public CompletableFuture<RecordMetadata> publish(WorkflowJobEvent event) {
    return publish(record(event));
  }

  private static ProducerRecord<String, byte[]> withHeaders(
      ProducerRecord<String, byte[]> record, EventMetadata metadata, String githubEvent) {
    header(record, RecordHeaders.EVENT_ID, metadata.getEventId());
    header(record, RecordHeaders.PRODUCER, metadata.getProducer().getService());
    header(record, RecordHeaders.DELIVERY_ID, metadata.getCorrelation().getDeliveryId());
    header(record, RecordHeaders.GITHUB_EVENT, githubEvent);
    header(record, RecordHeaders.TRACEPARENT, metadata.getTrace().getTraceparent());
    header(record, RecordHeaders.TRACESTATE, metadata.getTrace().getTracestate());
    return record;
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
