package dev.runnerguard.orchestrator.kafka;

import dev.runnerguard.schemas.Topics;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.RunnerCommand;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.serde.EventCodec;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The orchestrator's own producer (outside Kafka Streams): provider outcomes fed back to the state
 * machine, host-sensor signals, and commands from the API. Idempotent, {@code acks=all}, no linger:
 * these records are on the quarantine latency path.
 */
public final class PlatformPublisher implements AutoCloseable {
  private final Producer<String, byte[]> producer;

  public PlatformPublisher(Producer<String, byte[]> producer) {
    this.producer = producer;
  }

  /** A producer with the platform's settings. */
  public static PlatformPublisher connect(String bootstrapServers, String clientId) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    return new PlatformPublisher(
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer()));
  }

  public Future<RecordMetadata> providerEvent(ProviderEvent event) {
    return send(Topics.RUNNER_PROVIDER_EVENT.topicName(), event.getRunnerId(), event);
  }

  public Future<RecordMetadata> signal(SecuritySignal signal) {
    return send(Topics.RUNNER_SIGNAL.topicName(), signal.getRunnerId(), signal);
  }

  public Future<RecordMetadata> command(RunnerCommand command) {
    return send(Topics.RUNNER_COMMAND.topicName(), command.getRunnerId(), command);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Future<RecordMetadata> send(String topic, String key, SpecificRecord value) {
    EventCodec codec = EventCodec.of(value.getClass());
    return producer.send(new ProducerRecord<>(topic, key, codec.encode(value)));
  }

  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }
}
