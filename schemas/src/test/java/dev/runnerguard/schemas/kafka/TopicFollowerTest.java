package dev.runnerguard.schemas.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class TopicFollowerTest {
  private static final String TOPIC = "t";

  @Test
  void readsEveryPartitionFromTheBeginningThenReportsCaughtUpAndKeepsFollowing() throws Exception {
    MockConsumer<String, byte[]> consumer =
        new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());
    Node node = new Node(0, "localhost", 9092);
    consumer.updatePartitions(
        TOPIC,
        List.of(
            new PartitionInfo(TOPIC, 0, node, new Node[0], new Node[0]),
            new PartitionInfo(TOPIC, 1, node, new Node[0], new Node[0])));
    TopicPartition p0 = new TopicPartition(TOPIC, 0);
    TopicPartition p1 = new TopicPartition(TOPIC, 1);
    consumer.updateBeginningOffsets(Map.of(p0, 0L, p1, 0L));
    consumer.updateEndOffsets(Map.of(p0, 2L, p1, 1L));
    consumer.schedulePollTask(
        () -> {
          consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, "a", new byte[] {1}));
          consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 1, "b", new byte[] {2}));
          consumer.addRecord(new ConsumerRecord<>(TOPIC, 1, 0, "c", new byte[] {3}));
        });
    List<String> keys = new CopyOnWriteArrayList<>();
    int[] polls = {0};
    TopicFollower follower =
        new TopicFollower("test", consumer, TOPIC, r -> keys.add(r.key()), () -> polls[0]++);
    assertThat(follower.caughtUp()).isFalse();
    follower.start();
    await(follower::caughtUp);
    assertThat(keys).containsExactlyInAnyOrder("a", "b", "c");

    consumer.schedulePollTask(
        () -> consumer.addRecord(new ConsumerRecord<>(TOPIC, 1, 1, "later", new byte[] {4})));
    await(() -> keys.contains("later"));
    assertThat(polls[0]).isPositive();
    follower.close();
    assertThat(consumer.closed()).isTrue();
    assertThat(follower.failure()).isNull();
  }

  @Test
  void aMissingTopicIsAFailureNotACatchUp() throws Exception {
    MockConsumer<String, byte[]> consumer =
        new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());
    TopicFollower follower = new TopicFollower("test", consumer, "missing", r -> {}, () -> {});
    follower.start();
    await(() -> follower.failure() != null);
    assertThat(follower.failure()).contains("missing");
    assertThat(follower.caughtUp()).isFalse();
    follower.close();
  }

  private static void await(java.util.function.BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(20);
    }
  }
}
