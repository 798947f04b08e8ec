package dev.runnerguard.testing;

import java.util.Collection;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A handle on the shared test broker, handed to tests by {@link KafkaBrokerExtension}. */
public final class KafkaBroker {

  /** A handle on the JVM's shared broker (started on first use). */
  public KafkaBroker() {}

  /** The broker's bootstrap servers. */
  public String bootstrapServers() {
    return KafkaTestBroker.bootstrapServers();
  }

  /** Creates topics (idempotent). */
  public void createTopics(int partitions, Collection<String> names) {
    KafkaTestBroker.createTopics(partitions, names);
  }

  /** Creates topics (idempotent). */
  public void createTopics(int partitions, String... names) {
    KafkaTestBroker.createTopics(partitions, names);
  }

  /** Producer properties: String keys, byte[] values, idempotent, acks=all. */
  public Properties producerProperties() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return props;
  }

  /**
   * Consumer properties: String keys, byte[] values, a fresh group reading from the earliest
   * offset, no auto commit.
   */
  public Properties consumerProperties() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return props;
  }
}
