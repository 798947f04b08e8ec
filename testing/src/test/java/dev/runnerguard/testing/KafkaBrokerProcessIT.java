package dev.runnerguard.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A broker in its own JVM keeps every acknowledged record across a stop and across a SIGKILL. */
class KafkaBrokerProcessIT {

  private static final int RECORDS = 100;
  private static KafkaBrokerProcess broker;

  @BeforeAll
  static void startBroker() {
    // Under Failsafe java.class.path may be a manifest-only jar; the child JVM must still find
    // Kafka.
    assertThat(KafkaBrokerProcess.classPath()).contains("kafka_2.13-");
    broker = KafkaBrokerProcess.start();
  }

  @AfterAll
  static void closeBroker() {
    if (broker != null) {
      System.out.println("broker log (WARN+):\n" + broker.tail());
      broker.close();
      assertThat(broker.isRunning()).isFalse();
      assertThat(broker.log()).doesNotExist();
    }
  }

  @BeforeEach
  void brokerRuns() {
    if (!broker.isRunning()) {
      broker.startAgain();
    }
  }

  @Test
  void gracefulStopRefusesWritesAndKeepsAcknowledgedRecords() throws Exception {
    String topic = "process.stop";
    broker.createTopics(Map.of(topic, 3));
    String bootstrap = broker.bootstrapServers();
    Map<TopicPartition, Map<Long, String>> acked = produce(topic, "stop");

    broker.stop();
    assertThat(broker.isRunning()).isFalse();
    assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
    assertThatThrownBy(
            () -> {
              try (var producer = new KafkaProducer<String, byte[]>(shortProducerProperties())) {
                producer.send(record(topic, "down", 0)).get(15, TimeUnit.SECONDS);
              }
            })
        .as("a write while the broker is down must fail, not be acknowledged")
        .isInstanceOfAny(ExecutionException.class, KafkaException.class);

    broker.startAgain();
    assertThat(broker.isRunning()).isTrue();
    assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
    assertAllReadable(topic, acked);
    assertProduceWorks(topic, acked);
  }

  @Test
  void killKeepsAcknowledgedRecordsAndRestartWorks() throws Exception {
    String topic = "process.kill";
    broker.createTopics(Map.of(topic, 2));
    Map<TopicPartition, Map<Long, String>> acked = produce(topic, "kill");

    broker.kill();
    assertThat(broker.isRunning()).isFalse();
    broker.startAgain();
    assertAllReadable(topic, acked);

    broker.restart();
    assertThat(broker.isRunning()).isTrue();
    assertAllReadable(topic, acked);
    assertProduceWorks(topic, acked);
    broker.createPlatformTopics();
    assertThat(broker.log()).exists();
  }

  private static Map<TopicPartition, Map<Long, String>> produce(String topic, String prefix)
      throws Exception {
    Map<TopicPartition, Map<Long, String>> acked = new HashMap<>();
    try (var producer = new KafkaProducer<String, byte[]>(producerProperties())) {
      Future<?>[] futures = new Future<?>[RECORDS];
      for (int i = 0; i < RECORDS; i++) {
        futures[i] = producer.send(record(topic, prefix + "-" + i, i));
      }
      for (int i = 0; i < RECORDS; i++) {
        RecordMetadata m = (RecordMetadata) futures[i].get(30, TimeUnit.SECONDS);
        acked
            .computeIfAbsent(new TopicPartition(m.topic(), m.partition()), tp -> new HashMap<>())
            .put(m.offset(), prefix + "-" + i);
      }
    }
    assertThat(acked.values().stream().mapToInt(Map::size).sum()).isEqualTo(RECORDS);
    return acked;
  }

  private static void assertAllReadable(String topic, Map<TopicPartition, Map<Long, String>> acked)
      throws Exception {
    Map<TopicPartition, Map<Long, String>> read = new HashMap<>();
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (var consumer = new KafkaConsumer<String, byte[]>(props)) {
      List<TopicPartition> partitions = List.copyOf(acked.keySet());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!containsAll(read, acked) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          read.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new HashMap<>())
              .put(r.offset(), r.key());
        }
      }
    }
    acked.forEach(
        (tp, byOffset) ->
            assertThat(read.getOrDefault(tp, Map.of()))
                .as("acknowledged records of %s", tp)
                .containsAllEntriesOf(byOffset));
  }

  private static boolean containsAll(
      Map<TopicPartition, Map<Long, String>> read, Map<TopicPartition, Map<Long, String>> acked) {
    return acked.entrySet().stream()
        .allMatch(
            e ->
                read.getOrDefault(e.getKey(), Map.of())
                    .entrySet()
                    .containsAll(e.getValue().entrySet()));
  }

  private static void assertProduceWorks(String topic, Map<TopicPartition, Map<Long, String>> acked)
      throws Exception {
    try (var producer = new KafkaProducer<String, byte[]>(producerProperties())) {
      RecordMetadata m = producer.send(record(topic, "after", 0)).get(30, TimeUnit.SECONDS);
      long highestBefore =
          acked
              .getOrDefault(new TopicPartition(topic, m.partition()), Map.of(-1L, ""))
              .keySet()
              .stream()
              .mapToLong(Long::longValue)
              .max()
              .orElse(-1);
      assertThat(m.offset()).isGreaterThan(highestBefore);
    }
  }

  private static ProducerRecord<String, byte[]> record(String topic, String key, int i) {
    return new ProducerRecord<>(topic, key, ("value-" + i).getBytes(StandardCharsets.UTF_8));
  }

  private static Properties producerProperties() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return props;
  }

  private static Properties shortProducerProperties() {
    Properties props = producerProperties();
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_500);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3_000);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return props;
  }
}
