package dev.runnerguard.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class DeliveryPublisherTest {
  @Test
  void producerSettingsStayLossFreeAndBoundedByTheAckTimeout() {
    Properties p = DeliveryPublisher.producerProperties("localhost:9092", 5_000);

    assertThat(p.get(ProducerConfig.ACKS_CONFIG)).isEqualTo("all");
    assertThat(p.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)).isEqualTo(true);
    assertThat((Integer) p.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION))
        .isBetween(1, 5); // idempotence keeps order only up to 5
    assertThat(p.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)).isEqualTo(5_000);
    assertThat((Integer) p.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG)).isLessThan(5_000);
    assertThat(p.get(ProducerConfig.MAX_BLOCK_MS_CONFIG)).isEqualTo(5_000);
    assertThat(p.get(ProducerConfig.LINGER_MS_CONFIG))
        .isEqualTo(DeliveryPublisher.DEFAULT_LINGER_MS);
  }

  @Test
  void aLingerBeyondHalfTheAckTimeoutIsRefusedWithTheSettingsName() {
    assertThat(DeliveryPublisher.producerProperties("localhost:9092", 5_000, 0))
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, 0);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> DeliveryPublisher.producerProperties("localhost:9092", 5_000, 2_600))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("runnerguard.gateway.producer-linger")
        .hasMessageContaining("2500 ms");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> DeliveryPublisher.producerProperties("localhost:9092", 5_000, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** An executor that only counts and queues: a send taken off the caller's thread shows here. */
  static final class Queued implements Executor {
    final List<Runnable> tasks = new ArrayList<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      List<Runnable> now = new ArrayList<>(tasks);
      tasks.clear();
      now.forEach(Runnable::run);
    }
  }

  private static MockProducer<String, byte[]> producer() {
    return new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
  }

  private static ProducerRecord<String, byte[]> record(String topic, int bytes) {
    return new ProducerRecord<>(topic, "k", new byte[bytes]);
  }

  @Test
  void aTopicNeverAcknowledgedIsSentOffTheCallersThread() {
    MockProducer<String, byte[]> producer = producer();
    DeliveryPublisher publisher =
        new DeliveryPublisher(producer, DeliveryPublisher.Topics.defaults(), 1_000_000);
    Queued blocking = new Queued();

    var acked = publisher.publish(record("github.workflow-job", 100), blocking);

    assertThat(blocking.tasks).hasSize(1);
    assertThat(producer.history()).isEmpty(); // not sent on this thread
    blocking.runAll();
    assertThat(producer.history()).hasSize(1);
    producer.completeNext();
    assertThat(acked).isCompleted();
  }

  @Test
  void aFreshTopicWithRoomInTheBufferIsSentDirectly() {
    MockProducer<String, byte[]> producer = producer();
    DeliveryPublisher publisher =
        new DeliveryPublisher(producer, DeliveryPublisher.Topics.defaults(), 1_000_000);
    Queued blocking = new Queued();
    publisher.publish(record("github.workflow-job", 100));
    producer.completeNext(); // the topic's first acknowledgement

    var acked = publisher.publish(record("github.workflow-job", 100), blocking);

    assertThat(blocking.tasks).isEmpty();
    assertThat(producer.history()).hasSize(2);
    assertThat(publisher.canSendDirectly("github.delivery")).isFalse(); // per topic
    producer.completeNext();
    assertThat(acked).isCompleted();
    assertThat(publisher.unackedBytes()).isZero();
  }

  @Test
  void unacknowledgedRecordsOverHalfTheBufferSendOffTheCallersThreadAgain() {
    MockProducer<String, byte[]> producer = producer();
    DeliveryPublisher publisher =
        new DeliveryPublisher(producer, DeliveryPublisher.Topics.defaults(), 10_000);
    Queued blocking = new Queued();
    publisher.publish(record("t", 10));
    producer.completeNext();

    publisher.publish(record("t", 4_000), blocking); // 4 KB unacknowledged: under 5 KB
    publisher.publish(record("t", 4_000), blocking); // 8 KB: over half of the 10 KB buffer
    var third = publisher.publish(record("t", 10), blocking);

    assertThat(blocking.tasks).hasSize(1);
    assertThat(producer.history()).hasSize(3);
    producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("expired"));
    producer.completeNext();
    assertThat(publisher.unackedBytes()).isZero(); // failures give their share back too
    assertThat(publisher.canSendDirectly("t")).isTrue();
    blocking.runAll();
    producer.completeNext();
    assertThat(third).isCompleted();
  }
}
