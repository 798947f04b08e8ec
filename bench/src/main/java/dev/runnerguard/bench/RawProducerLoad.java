package dev.runnerguard.bench;

import dev.runnerguard.gateway.DeliveryContext;
import dev.runnerguard.gateway.DeliveryPublisher;
import dev.runnerguard.gateway.WorkflowJobParser;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The raw Kafka baseline: the same records the gateway writes (parsed by the gateway's own {@link
 * WorkflowJobParser} from the same bodies, built by its {@link DeliveryPublisher}), sent with the
 * gateway's producer settings ({@code acks=all}, idempotent, no batch compression, linger 1 ms)
 * straight from this JVM, no HTTP. The records are built before the clock starts (a ring of
 * distinct records, each with its own job id and delivery id), so the numbers are Kafka's alone.
 */
final class RawProducerLoad implements AutoCloseable {
  private static final int RING = 4096;

  private final DeliveryPublisher publisher;
  private final List<ProducerRecord<String, byte[]>> ring = new ArrayList<>(RING);

  RawProducerLoad(String bootstrapServers, Deliveries deliveries) {
    WorkflowJobParser parser =
        new WorkflowJobParser(new EventMetadataFactory("webhook-gateway", "bench"));
    this.publisher =
        DeliveryPublisher.create(
            DeliveryPublisher.producerProperties(bootstrapServers, 5000),
            DeliveryPublisher.Topics.defaults());
    for (int i = 0; i < RING; i++) {
      Deliveries.Delivery d = deliveries.next();
      ring.add(
          publisher.record(
              parser.parse(d.body(), new DeliveryContext(d.id(), "workflow_job", null, null))));
    }
  }

  /** Average serialized value size of the records, in bytes. */
  int averageValueBytes() {
    long sum = 0;
    for (ProducerRecord<String, byte[]> r : ring) {
      sum += r.value().length;
    }
    return (int) (sum / ring.size());
  }

  /**
   * As many records as possible with at most {@code inFlight} unacknowledged, for {@code seconds}
   * and at most {@code maxRecords}; latency from send to acknowledgement.
   */
  void closedLoop(int inFlight, int seconds, long maxRecords, PhaseStats stats)
      throws InterruptedException {
    Semaphore permits = new Semaphore(inFlight);
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
    stats.start(start);
    for (long i = 0; i < maxRecords && System.nanoTime() < deadline; i++) {
      if (!permits.tryAcquire(10, TimeUnit.SECONDS)) {
        stats.failed("no acknowledgement within 10 s", System.nanoTime(), System.nanoTime());
        break;
      }
      send(i, System.nanoTime(), stats, permits);
    }
    awaitAll(permits, inFlight, stats);
  }

  /** {@code rate * seconds} records at fixed intervals; latency from the scheduled time. */
  void openLoop(int rate, int seconds, PhaseStats stats) throws InterruptedException {
    long total = (long) rate * seconds;
    int maxInFlight = 20_000;
    Semaphore permits = new Semaphore(maxInFlight);
    double intervalNs = 1e9 / rate;
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
    stats.start(start);
    for (long i = 0; i < total; i++) {
      long due = start + (long) (i * intervalNs);
      long now;
      while ((now = System.nanoTime()) < due) {
        LockSupport.parkNanos(due - now);
      }
      if (!permits.tryAcquire()) {
        stats.dropped(due);
        continue;
      }
      send(i, due, stats, permits);
    }
    awaitAll(permits, maxInFlight, stats);
  }

  private void send(long i, long scheduledNs, PhaseStats stats, Semaphore permits) {
    ProducerRecord<String, byte[]> record = ring.get((int) (i % RING));
    String id = Long.toString(i);
    stats.sent();
    publisher
        .publish(record)
        .whenComplete(
            (ack, error) -> {
              long now = System.nanoTime();
              if (error == null) {
                stats.answered(id, 202, scheduledNs, now);
              } else {
                stats.failed(error, scheduledNs, now);
              }
              permits.release();
            });
  }

  private static void awaitAll(Semaphore permits, int all, PhaseStats stats)
      throws InterruptedException {
    if (!permits.tryAcquire(all, 30, TimeUnit.SECONDS)) {
      stats.failed("no acknowledgement within 30 s", System.nanoTime(), System.nanoTime());
    } else {
      permits.release(all);
    }
  }

  @Override
  public void close() {
    publisher.close();
  }
}
