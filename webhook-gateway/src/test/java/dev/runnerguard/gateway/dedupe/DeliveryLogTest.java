package dev.runnerguard.gateway.dedupe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.schemas.DeliveryReceipts;
import dev.runnerguard.schemas.avro.AcceptedDelivery;
import dev.runnerguard.schemas.avro.DeliveryReceipt;
import dev.runnerguard.schemas.serde.EventCodec;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * The delivery log over Kafka's {@code MockConsumer} (the real broker is in {@code WebhookRouteIT}
 * and {@code GatewayResilienceIT}): its memory bound and the receipt times it trusts.
 */
class DeliveryLogTest {
  private static final String TOPIC = "github.delivery";
  private static final long NOW = Instant.parse("2026-11-29T12:00:00Z").toEpochMilli();
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);

  @Test
  void pastMaxIdsTheOldestAreForgottenFirstAndCounted() throws Exception {
    MockConsumer<String, byte[]> consumer = consumerWithOnePartition(0);
    DeliveryLog log = startedLog(consumer, 1_000);
    String[] ids = new String[1_500];
    consumer.schedulePollTask(
        () -> {
          for (int i = 0; i < ids.length; i++) {
            ids[i] = UUID.randomUUID().toString();
            // one receipt a minute, the oldest first, all within the window
            long at = NOW - (ids.length - i) * 60_000L;
            consumer.addRecord(receipt(i, ids[i], at));
          }
        });
    await(() -> log.evicted() > 0);
    // 1,500 remembered > 1,000: down to 900, the oldest 600 forgotten
    assertThat(log.size()).isEqualTo(900);
    assertThat(log.evicted()).isEqualTo(600);
    for (int i = 0; i < ids.length; i++) {
      DeliveryLog.Claim claim = log.claim(ids[i]);
      if (i < 600) {
        assertThat(claim)
            .as("id %d (old, forgotten)", i)
            .isInstanceOf(DeliveryLog.Claim.Owner.class);
        log.complete((DeliveryLog.Claim.Owner) claim, false);
      } else {
        assertThat(claim)
            .as("id %d (recent, kept)", i)
            .isInstanceOf(DeliveryLog.Claim.Duplicate.class);
      }
    }
    log.close();
  }

  @Test
  void aReceiptStampedInTheFutureCountsFromNow() throws Exception {
    MockConsumer<String, byte[]> consumer = consumerWithOnePartition(0);
    DeliveryLog log = startedLog(consumer, 1_000);
    String future = UUID.randomUUID().toString();
    String old = UUID.randomUUID().toString();
    consumer.schedulePollTask(
        () -> {
          consumer.addRecord(receipt(0, future, Long.MAX_VALUE));
          consumer.addRecord(receipt(1, old, NOW - Duration.ofDays(5).toMillis()));
        });
    await(() -> log.size() == 2);
    assertThat(log.claim(future)).isInstanceOf(DeliveryLog.Claim.Duplicate.class);
    assertThat(log.claim(old)).isInstanceOf(DeliveryLog.Claim.Owner.class); // outside the window
    log.close();
  }

  @Test
  void aBatchedReceiptMakesEveryDeliveryItNamesADuplicate() throws Exception {
    MockConsumer<String, byte[]> consumer = consumerWithOnePartition(0);
    DeliveryLog log = startedLog(consumer, 1_000);
    List<AcceptedDelivery> batch = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      batch.add(
          AcceptedDelivery.newBuilder()
              .setDeliveryId(UUID.randomUUID().toString())
              .setEvent("workflow_job")
              .build());
    }
    DeliveryReceipt receipt =
        DeliveryReceipts.of(new EventMetadataFactory("webhook-gateway", "t").create(), batch);
    byte[] value = EventCodec.of(DeliveryReceipt.class).encode(receipt);
    String notARecord = UUID.randomUUID().toString();
    consumer.schedulePollTask(
        () -> {
          consumer.addRecord(receipt(0, batch.get(0).getDeliveryId(), NOW, value));
          consumer.addRecord(receipt(1, notARecord, NOW, new byte[] {1, 2, 3}));
        });
    await(() -> log.size() == 51);
    for (AcceptedDelivery d : batch) {
      assertThat(log.claim(d.getDeliveryId())).isInstanceOf(DeliveryLog.Claim.Duplicate.class);
    }
    // a value that is not a receipt still counts for its key, and is counted
    assertThat(log.claim(notARecord)).isInstanceOf(DeliveryLog.Claim.Duplicate.class);
    assertThat(log.undecodable()).isEqualTo(1);
    log.close();
  }

  @Test
  void aMaxIdsThatCannotFitInDirectMemoryIsRefusedWithWhatToChange() {
    long mb = 1024 * 1024;
    DeliveryLog.checkRoom(2_000_000, 256 * mb); // the default within the launcher's -Xmx256m
    assertThatThrownBy(() -> DeliveryLog.checkRoom(4_000_000, 256 * mb))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("runnerguard.gateway.dedupe.max-ids=4000000")
        .hasMessageContaining("244 MB")
        .hasMessageContaining("256 MB")
        .hasMessageContaining("-XX:MaxDirectMemorySize");
    assertThatThrownBy(
            () -> new DeliveryLog(consumerWithOnePartition(0), TOPIC, Duration.ofDays(4), 0, CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("max-ids must be at least 1");
  }

  /** A log over the consumer with 4 days' window and {@code maxIds}, caught up. */
  private static DeliveryLog startedLog(MockConsumer<String, byte[]> consumer, int maxIds)
      throws Exception {
    DeliveryLog log = new DeliveryLog(consumer, TOPIC, Duration.ofDays(4), maxIds, CLOCK);
    log.start();
    await(log::caughtUp);
    return log;
  }

  private static MockConsumer<String, byte[]> consumerWithOnePartition(long end) {
    MockConsumer<String, byte[]> consumer =
        new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());
    Node node = new Node(0, "localhost", 9092);
    consumer.updatePartitions(
        TOPIC, List.of(new PartitionInfo(TOPIC, 0, node, new Node[0], new Node[0])));
    TopicPartition p0 = new TopicPartition(TOPIC, 0);
    consumer.updateBeginningOffsets(Map.of(p0, 0L));
    consumer.updateEndOffsets(Map.of(p0, end));
    return consumer;
  }

  private static ConsumerRecord<String, byte[]> receipt(long offset, String id, long timestamp) {
    return receipt(offset, id, timestamp, new byte[] {1});
  }

  private static ConsumerRecord<String, byte[]> receipt(
      long offset, String id, long timestamp, byte[] value) {
    return new ConsumerRecord<>(
        TOPIC,
        0,
        offset,
        timestamp,
        TimestampType.CREATE_TIME,
        36,
        1,
        id,
        value,
        new RecordHeaders(),
        java.util.Optional.empty());
  }

  private static void await(BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(10);
    }
  }
}
