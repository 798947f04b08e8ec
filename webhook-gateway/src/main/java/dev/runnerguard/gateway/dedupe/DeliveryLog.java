package dev.runnerguard.gateway.dedupe;

import dev.runnerguard.schemas.avro.AcceptedDelivery;
import dev.runnerguard.schemas.avro.DeliveryReceipt;
import dev.runnerguard.schemas.kafka.TopicFollower;
import dev.runnerguard.schemas.serde.EventCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * The delivery ids every gateway replica has accepted, for GitHub's redelivery window.
 *
 * <p>Design: accepted ids are written as receipts to the compacted topic {@code github.delivery}
 * (key = the first delivery id of a receipt, the others in its {@code more}: the gateway writes one
 * receipt per {@code producer-linger}, see {@link ReceiptBatcher}; a four-day retention removes old
 * ids). Every replica reads the whole topic from the beginning into memory on start (readiness
 * waits until it has caught up with the end offsets it found at start) and then follows it, so ids
 * accepted by another replica or before a restart are known. Within one replica, a delivery in
 * flight is claimed, so a concurrent duplicate waits for the first one's outcome instead of
 * producing a second record.
 *
 * <p>Two replicas receiving the same delivery id within the ~50 ms before either receipt is read
 * (receipts are fetched in batches) can both produce it; GitHub never redelivers on its own, so
 * this needs a manual redelivery racing the original, and downstream consumers are idempotent per
 * (job id, action, run attempt) in any case.
 *
 * <p>Memory is bounded: past {@code maxIds} remembered ids, the follower's thread forgets the
 * oldest until a tenth of the room is free again, counts them ({@link #evicted()}) and logs how far
 * back the log now remembers. Dedupe then covers less than the window for the oldest ids; nothing
 * else changes.
 */
public final class DeliveryLog implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(DeliveryLog.class);
  private static final EventCodec<DeliveryReceipt> RECEIPTS = EventCodec.of(DeliveryReceipt.class);

  /**
   * Most direct memory an id can take: pages are 3/8 to 3/4 full, 24 bytes a slot, so 32-64 bytes
   * an id, plus the page directory (see {@link AcceptedIds}).
   */
  static final long MAX_BYTES_PER_ID = 64;

  /** The outcome of {@link #claim}. */
  public sealed interface Claim {
    /** Nobody accepted the id yet; the caller owns it and must call {@link #complete}. */
    record Owner(String deliveryId) implements Claim {}

    /** The id was accepted before. */
    record Duplicate() implements Claim {}

    /** Another request of this replica is producing the id; true when it succeeded. */
    record InFlight(CompletableFuture<Boolean> outcome) implements Claim {}
  }

  private final AcceptedIds accepted = new AcceptedIds();
  private final Map<String, CompletableFuture<Boolean>> inFlight = new ConcurrentHashMap<>();
  private final TopicFollower follower;
  private final Duration window;
  private final int maxIds;
  private final Clock clock;
  private final AtomicLong evicted = new AtomicLong();
  private final AtomicLong undecodable = new AtomicLong();
  private long lastSweep;

  /**
   * @param consumer a consumer without group management (the log assigns itself every partition)
   * @param topic the receipts topic
   * @param window how long an accepted id is remembered
   * @param maxIds how many ids are remembered at most (see {@link #checkRoom})
   */
  public DeliveryLog(
      Consumer<String, byte[]> consumer, String topic, Duration window, int maxIds, Clock clock) {
    if (maxIds < 1) {
      throw new IllegalArgumentException(
          "runnerguard.gateway.dedupe.max-ids must be at least 1, was " + maxIds);
    }
    this.window = window;
    this.maxIds = maxIds;
    this.clock = clock;
    this.follower = new TopicFollower("delivery-log", consumer, topic, this::remember, this::sweep);
  }

  /**
   * Refuses a {@code maxIds} whose ids could take more than three quarters of the direct memory the
   * JVM allows ({@code -XX:MaxDirectMemorySize}, by default {@code -Xmx}), leaving the rest to the
   * network buffers: a full table would otherwise end in an {@code OutOfMemoryError} on the path
   * that accepts deliveries.
   */
  public static void checkRoom(int maxIds, long maxDirectMemoryBytes) {
    long needed = maxIds * MAX_BYTES_PER_ID;
    if (needed > maxDirectMemoryBytes / 4 * 3) {
      throw new IllegalArgumentException(
          "runnerguard.gateway.dedupe.max-ids="
              + maxIds
              + " needs up to "
              + needed / (1024 * 1024)
              + " MB of direct memory ("
              + MAX_BYTES_PER_ID
              + " bytes an id), more than three quarters of the "
              + maxDirectMemoryBytes / (1024 * 1024)
              + " MB this JVM allows: lower max-ids or raise -XX:MaxDirectMemorySize (default"
              + " -Xmx)");
    }
  }

  /** Starts following the receipts topic in a background thread. */
  public void start() {
    follower.start();
  }

  /** True once every receipt that existed at start has been read. */
  public boolean caughtUp() {
    return follower.caughtUp();
  }

  /** Why following stopped, if it did. */
  public String failure() {
    return follower.failure();
  }

  /** Number of ids remembered. */
  public int size() {
    return accepted.size();
  }

  /** Ids forgotten before the end of the window because {@code maxIds} was reached. */
  public long evicted() {
    return evicted.get();
  }

  /** Claims a delivery id for producing, or says it was accepted or is in flight. */
  public Claim claim(String deliveryId) {
    if (isAccepted(deliveryId)) {
      return new Claim.Duplicate();
    }
    CompletableFuture<Boolean> mine = new CompletableFuture<>();
    CompletableFuture<Boolean> other = inFlight.putIfAbsent(deliveryId, mine);
    if (other != null) {
      return new Claim.InFlight(other);
    }
    if (isAccepted(deliveryId)) { // the follower read a receipt in between
      inFlight.remove(deliveryId, mine);
      mine.complete(true);
      return new Claim.Duplicate();
    }
    return new Claim.Owner(deliveryId);
  }

  /** Ends a claim: accepted (remembered from now on) or not (a redelivery may try again). */
  public void complete(Claim.Owner claim, boolean acceptedNow) {
    if (acceptedNow) {
      accepted.accept(claim.deliveryId(), Math.max(1, clock.millis()));
    }
    CompletableFuture<Boolean> mine = inFlight.remove(claim.deliveryId());
    if (mine != null) {
      mine.complete(acceptedNow);
    }
  }

  private boolean isAccepted(String deliveryId) {
    long at = accepted.acceptedAt(deliveryId);
    return at > 0 && clock.millis() - at <= window.toMillis();
  }

  /**
   * Remembers the ids a receipt names: the key (its first delivery) and, in a batched receipt, the
   * deliveries in its {@code more}. A value that cannot be decoded still counts for its key.
   */
  private void remember(ConsumerRecord<String, byte[]> record) {
    if (record.key() == null || record.value() == null) {
      return; // not a receipt (a tombstone)
    }
    // a receipt stamped in the future (a producer's clock ahead) counts from now
    long at = Math.max(1, Math.min(record.timestamp(), clock.millis()));
    accepted.accept(record.key(), at);
    List<AcceptedDelivery> more;
    try {
      more = RECEIPTS.decode(record.value()).getMore();
    } catch (RuntimeException e) {
      undecodable.incrementAndGet();
      LOG.debugf(
          "receipt at %s-%d@%d not decodable (%s); only its key counts",
          record.topic(), record.partition(), record.offset(), e.getClass().getSimpleName());
      return;
    }
    for (AcceptedDelivery d : more) {
      accepted.accept(d.getDeliveryId(), at);
    }
  }

  /** Receipts whose value could not be decoded (only their key was remembered). */
  public long undecodable() {
    return undecodable.get();
  }

  private void sweep() {
    long now = clock.millis();
    if (accepted.size() > maxIds) {
      evict(now);
    }
    if (now - lastSweep < 60_000) {
      return;
    }
    lastSweep = now;
    long oldest = now - window.toMillis();
    accepted.forgetBefore(oldest);
  }

  /** Forgets the oldest ids until a tenth of {@code maxIds} is free again. */
  private void evict(long now) {
    int before = accepted.size();
    long cutoff = accepted.cutoffForOldest(before - maxIds + maxIds / 10);
    int forgotten = accepted.forgetBefore(cutoff);
    evicted.addAndGet(forgotten);
    LOG.warnf(
        "delivery log: %d ids reached runnerguard.gateway.dedupe.max-ids (%d); forgot the %d"
            + " accepted more than %d minutes ago, so redeliveries of older ones are no longer"
            + " recognised (window %d minutes). Raise max-ids (and -XX:MaxDirectMemorySize) to"
            + " cover the window.",
        before, maxIds, forgotten, Math.max(0, (now - cutoff) / 60_000), window.toMinutes());
  }

  @Override
  public void close() throws InterruptedException {
    follower.close();
  }
}
