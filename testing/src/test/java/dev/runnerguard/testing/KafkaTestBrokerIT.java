package dev.runnerguard.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

@RealKafka
class KafkaTestBrokerIT {

  @Test
  void oneBrokerPerJvmAndItReallyStoresRecords(KafkaBroker broker) throws Exception {
    String first = broker.bootstrapServers();
    assertThat(KafkaTestBroker.bootstrapServers()).isEqualTo(first);
    assertThat(System.getProperty(KafkaTestBroker.BOOTSTRAP_PROPERTY)).isEqualTo(first);

    broker.createTopics(3, "harness.roundtrip");
    broker.createTopics(3, "harness.roundtrip"); // idempotent

    try (Admin admin = Admin.create(KafkaTestBroker.adminProperties())) {
      assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS))
          .contains("harness.roundtrip");
      assertThat(
              admin
                  .describeTopics(List.of("harness.roundtrip"))
                  .allTopicNames()
                  .get(10, TimeUnit.SECONDS)
                  .get("harness.roundtrip")
                  .partitions())
          .hasSize(3);
    }

    RecordMetadata written;
    try (var producer = new KafkaProducer<String, byte[]>(broker.producerProperties())) {
      written =
          producer
              .send(
                  new ProducerRecord<>(
                      "harness.roundtrip", "k1", "hello".getBytes(StandardCharsets.UTF_8)))
              .get(10, TimeUnit.SECONDS);
    }
    assertThat(written.offset()).isZero();

    List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
    try (var consumer = new KafkaConsumer<String, byte[]>(broker.consumerProperties())) {
      consumer.subscribe(List.of("harness.roundtrip"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (seen.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
      }
    }
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).key()).isEqualTo("k1");
    assertThat(new String(seen.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("hello");
    assertThat(seen.get(0).partition()).isEqualTo(written.partition());
  }
}
