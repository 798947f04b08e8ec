package dev.runnerguard.audit.sink;

import dev.runnerguard.audit.config.AuditConfig;
import dev.runnerguard.audit.spi.AuditSink;
import dev.runnerguard.audit.store.StoredEvent;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Forwards OCSF events to the Kafka topic {@code audit.ocsf} (what Splunk Connect for Kafka and
 * Elastic Agent read): value the OCSF JSON, key the event id, header {@code runnerguard-seq}.
 * Idempotent producer with {@code acks=all}; a batch counts as delivered when every record is
 * acknowledged.
 */
@ApplicationScoped
public class KafkaAuditSink implements AuditSink {

  private final AuditConfig config;
  private final String bootstrapServers;
  private volatile KafkaProducer<String, String> producer;

  public KafkaAuditSink(
      AuditConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
    this.config = config;
    this.bootstrapServers = bootstrap;
  }

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public boolean enabled() {
    return config.sink().kafka().enabled();
  }

  @Override
  public void deliver(List<StoredEvent> batch) throws Exception {
    KafkaProducer<String, String> p = producer();
    List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
    for (StoredEvent e : batch) {
      ProducerRecord<String, String> r =
          new ProducerRecord<>(config.sink().kafka().topic(), e.eventId(), e.ocsf().toString());
      r.headers().add("runnerguard-seq", Long.toString(e.seq()).getBytes(StandardCharsets.UTF_8));
      acks.add(p.send(r));
    }
    long deadline = System.nanoTime() + config.sink().kafka().ackTimeout().toNanos();
    for (Future<RecordMetadata> ack : acks) {
      ack.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  private KafkaProducer<String, String> producer() {
    KafkaProducer<String, String> p = producer;
    if (p == null) {
      synchronized (this) {
        if (producer == null) {
          Properties props = new Properties();
          props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
          props.put(ProducerConfig.ACKS_CONFIG, "all");
          props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
          props.put(ProducerConfig.CLIENT_ID_CONFIG, "audit-ingest-sink-kafka");
          props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
          props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
          props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
          props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
          producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        }
        p = producer;
      }
    }
    return p;
  }

  void stop(@Observes ShutdownEvent ev) {
    KafkaProducer<String, String> p = producer;
    if (p != null) {
      p.close(java.time.Duration.ofSeconds(5));
    }
  }
}
