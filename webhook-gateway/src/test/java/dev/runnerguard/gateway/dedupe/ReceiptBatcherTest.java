package dev.runnerguard.gateway.dedupe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.schemas.DeliveryReceipts;
import dev.runnerguard.schemas.avro.AcceptedDelivery;
import dev.runnerguard.schemas.avro.DeliveryReceipt;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReceiptBatcherTest {

  private final EventMetadataFactory metadata = new EventMetadataFactory("webhook-gateway", "t");
  private final List<DeliveryReceipt> written = new CopyOnWriteArrayList<>();
  private final List<List<AcceptedDelivery>> lost = new CopyOnWriteArrayList<>();

  private static AcceptedDelivery delivery(String id) {
    return AcceptedDelivery.newBuilder()
        .setDeliveryId(id)
        .setEvent("workflow_job")
        .setAction("queued")
        .setTopic("github.workflow-job")
        .setPartition(1)
        .setOffset(2L)
        .build();
  }

  private ReceiptBatcher batcher(Duration linger) {
    return new ReceiptBatcher(
        r -> {
          written.add(r);
          return CompletableFuture.completedFuture(null);
        },
        metadata,
        (batch, e) -> lost.add(batch),
        linger);
  }

  private List<String> writtenIds() {
    List<String> ids = new ArrayList<>();
    for (DeliveryReceipt r : written) {
      for (DeliveryReceipt one : DeliveryReceipts.each(r)) {
        ids.add(one.getDeliveryId());
      }
    }
    return ids;
  }

  private void awaitWritten(int ids) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (writtenIds().size() < ids && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
  }

  @Test
  void receiptsAddedWithinTheLingerBecomeOneRecordInOrder() throws Exception {
    try (ReceiptBatcher b = batcher(Duration.ofMillis(200))) {
      for (int i = 0; i < 10; i++) {
        b.add(delivery("d" + i));
      }
      assertThat(written).isEmpty(); // still lingering
      awaitWritten(10);
      assertThat(written).hasSize(1);
      DeliveryReceipt r = written.get(0);
      assertThat(r.getDeliveryId()).isEqualTo("d0");
      assertThat(r.getMetadata().getCorrelation().getDeliveryId()).isEqualTo("d0");
      assertThat(writtenIds())
          .containsExactly("d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9");

      b.add(delivery("later")); // a new batch after the first was written
      awaitWritten(11);
      assertThat(written).hasSize(2);
      assertThat(written.get(1).getDeliveryId()).isEqualTo("later");
      assertThat(written.get(1).getMore()).isEmpty();
    }
    assertThat(lost).isEmpty();
  }

  @Test
  void aFullBatchIsWrittenAtOnceByTheThreadThatFilledIt() {
    try (ReceiptBatcher b = batcher(Duration.ofHours(1))) {
      for (int i = 0; i < DeliveryReceipts.MAX_PER_RECORD; i++) {
        b.add(delivery("d" + i));
      }
      assertThat(written).hasSize(1);
      assertThat(DeliveryReceipts.count(written.get(0))).isEqualTo(DeliveryReceipts.MAX_PER_RECORD);
      b.add(delivery("next"));
      assertThat(written).hasSize(1); // waits for its linger (or close)
    }
    assertThat(written).hasSize(2);
    assertThat(written.get(1).getDeliveryId()).isEqualTo("next");
  }

  @Test
  void closeWritesWhatIsPendingAndLaterReceiptsAreWrittenAtOnce() {
    ReceiptBatcher b = batcher(Duration.ofHours(1));
    b.add(delivery("a"));
    b.add(delivery("b"));
    b.close();
    assertThat(writtenIds()).containsExactly("a", "b");
    b.add(delivery("c"));
    assertThat(writtenIds()).containsExactly("a", "b", "c");
  }

  @Test
  void aFailedOrThrowingWriterReportsTheDeliveriesAndTheBatcherGoesOn() throws Exception {
    List<String> attempts = new CopyOnWriteArrayList<>();
    CountDownLatch third = new CountDownLatch(1);
    ReceiptBatcher b =
        new ReceiptBatcher(
            r -> {
              attempts.add(r.getDeliveryId());
              switch (attempts.size()) {
                case 1:
                  return CompletableFuture.failedFuture(new IllegalStateException("broker gone"));
                case 2:
                  throw new IllegalStateException("producer closed");
                default:
                  third.countDown();
                  return CompletableFuture.completedFuture(null);
              }
            },
            metadata,
            (batch, e) -> lost.add(batch),
            Duration.ofMillis(1));
    try (b) {
      b.add(delivery("x1"));
      b.add(delivery("x2"));
      awaitLost(1);
      b.add(delivery("y"));
      awaitLost(2);
      b.add(delivery("z"));
      assertThat(third.await(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(lost).hasSize(2);
    assertThat(lost.get(0)).extracting(AcceptedDelivery::getDeliveryId).containsExactly("x1", "x2");
    assertThat(lost.get(1)).extracting(AcceptedDelivery::getDeliveryId).containsExactly("y");
    assertThat(attempts).containsExactly("x1", "y", "z");
  }

  private void awaitLost(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (lost.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(lost).hasSize(n);
  }

  @Test
  void concurrentAddsAreEachWrittenExactlyOnceInRecordsOfAtMostTheMaximum() throws Exception {
    int threads = 4;
    int each = 20_000;
    ReceiptBatcher b = batcher(Duration.ofMillis(1));
    List<Thread> adders = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      adders.add(
          new Thread(
              () -> {
                for (int i = 0; i < each; i++) {
                  b.add(delivery(id + "-" + i));
                }
              }));
    }
    adders.forEach(Thread::start);
    for (Thread t : adders) {
      t.join();
    }
    b.close();

    List<String> ids = writtenIds();
    assertThat(ids).hasSize(threads * each);
    assertThat(new HashSet<>(ids)).hasSize(threads * each);
    assertThat(written).allMatch(r -> DeliveryReceipts.count(r) <= DeliveryReceipts.MAX_PER_RECORD);
    assertThat(written.size()).isLessThan(threads * each / 10); // batched, not one per delivery
    assertThat(lost).isEmpty();
  }

  @Test
  void aNegativeLingerIsRefused() {
    assertThatThrownBy(() -> batcher(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("linger");
  }
}
