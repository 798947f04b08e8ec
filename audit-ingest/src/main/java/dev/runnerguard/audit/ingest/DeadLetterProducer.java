package dev.runnerguard.audit.ingest;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Writes single poison records of a batch to their channel's dead-letter topic, with the same
 * headers SmallRye's {@code dead-letter-queue} strategy writes ({@code dead-letter-reason}, {@code
 * dead-letter-topic}, {@code dead-letter-partition}, {@code dead-letter-offset}), and waits for the
 * broker's acknowledgement so the batch's offsets are committed only after the poison record is
 * safe. (Batch consumption cannot nack one record of a batch, hence this producer; SmallRye's
 * strategy stays configured for failures of a whole batch.)
 */
@ApplicationScoped
public class DeadLetterProducer {

  private final KafkaProducer<String, byte[]> producer;

  public DeadLetterProducer(
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "audit-ingest-dead-letters");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /** Sends the record to {@code deadLetterTopic} and waits until the broker has it. */
  public void send(String deadLetterTopic, ConsumerRecord<String, byte[]> record, String reason)
      throws InterruptedException, ExecutionException, TimeoutException {
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
    producer.send(out).get(35, TimeUnit.SECONDS);
  }

  void stop(@Observes ShutdownEvent ev) {
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
