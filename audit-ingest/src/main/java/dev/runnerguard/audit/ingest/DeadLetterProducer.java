package dev.runnerguard.audit.ingest;

import dev.runnerguard.audit.config.AuditConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Writes single poison records of a batch to their dead-letter topic, with the same headers
 * SmallRye's {@code dead-letter-queue} strategy writes ({@code dead-letter-reason}, {@code
 * dead-letter-topic}, {@code dead-letter-partition}, {@code dead-letter-offset}), and waits for the
 * broker's acknowledgement so the batch's offsets are committed only after the poison record is
 * safe. (Batch consumption cannot nack one record of a batch, and the platform channel reads twelve
 * topics while SmallRye's strategy has one dead-letter topic per channel, hence this producer.)
 *
 * <p>Errors: a retriable Kafka error (broker down, leader moving, no answer within the producer's
 * delivery timeout) is retried with capped exponential backoff ({@code
 * runnerguard.audit.store.retry-backoff-max}) until the broker takes the record — the channel
 * stalls, as for a storage outage, and the record is never dropped; a permanent one (for example
 * the record is over the broker's size limit) is thrown, the batch fails and nothing is committed.
 */
@ApplicationScoped
public class DeadLetterProducer {
  private static final Logger LOG = Logger.getLogger(DeadLetterProducer.class);

  private final Producer<String, byte[]> producer;
  private final long backoffMaxMillis;
  private final Counter retries;

  @Inject
  public DeadLetterProducer(
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
      AuditConfig config,
      MeterRegistry registry) {
    this(producer(bootstrapServers), config.store().retryBackoffMax(), registry);
  }

  /** With a given producer (tests: Kafka's {@code MockProducer}). */
  DeadLetterProducer(
      Producer<String, byte[]> producer, Duration backoffMax, MeterRegistry registry) {
    this.producer = producer;
    this.backoffMaxMillis = Math.max(1, backoffMax.toMillis());
    this.retries =
        Counter.builder("runnerguard.audit.dead_letters.retries")
            .description("dead-letter sends retried because the broker could not take them")
            .register(registry);
  }

  private static Producer<String, byte[]> producer(String bootstrapServers) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "audit-ingest-dead-letters");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * Sends the record to {@code deadLetterTopic} and waits until the broker has it, retrying while
   * the broker cannot take it.
   *
   * @throws ExecutionException for a permanent failure (cause: the Kafka error)
   * @throws InterruptedException when the service stops while waiting
   */
  public void send(String deadLetterTopic, ConsumerRecord<String, byte[]> record, String reason)
      throws InterruptedException, ExecutionException {
    ProducerRecord<String, byte[]> out =
        new ProducerRecord<>(deadLetterTopic, null, record.key(), record.value());
    for (Header h : record.headers()) {
      out.headers().add(h);
    }
    Map.of(
            "dead-letter-reason", reason,
            "dead-letter-topic", record.topic(),
            "dead-letter-partition", Integer.toString(record.partition()),
            "dead-letter-offset", Long.toString(record.offset()))
        .forEach((k, v) -> out.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
    long backoff = Math.min(100, backoffMaxMillis);
    while (true) {
      Throwable failure;
      try {
        producer.send(out).get(35, TimeUnit.SECONDS);
        return;
      } catch (TimeoutException e) {
        failure = e; // no answer within the bound of send(): retriable
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException)) {
          throw e;
        }
        failure = e.getCause();
      }
      retries.increment();
      LOG.warnf(
          "dead-letter topic %s cannot take the record yet (%s), retrying in %d ms",
          deadLetterTopic, failure.getClass().getSimpleName(), backoff);
      Thread.sleep(backoff);
      backoff = Math.min(backoffMaxMillis, backoff * 2);
    }
  }

  void stop(@Observes ShutdownEvent ev) {
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
