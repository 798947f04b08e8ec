package dev.runnerguard.gateway.dedupe;

import dev.runnerguard.schemas.kafka.TopicFollower;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The delivery ids every gateway replica has accepted, for GitHub's redelivery window.
 *
 * <p>Design: accepted ids are written as receipts to the compacted topic {@code github.delivery}
 * (key = delivery id; compaction plus a four-day retention removes old ids). Every replica reads
 * the whole topic from the beginning into memory on start (readiness waits until it has caught up
 * with the end offsets it found at start) and then follows it, so ids accepted by another replica
 * or before a restart are known. Within one replica, a delivery in flight is claimed, so a
 * concurrent duplicate waits for the first one's outcome instead of producing a second record.
 *
 * <p>Two replicas receiving the same delivery id within the ~50 ms before either receipt is read
 * (receipts are fetched in batches) can both produce it; GitHub never redelivers on its own, so
 * this needs a manual redelivery racing the original, and downstream consumers are idempotent per
 * (job id, action, run attempt) in any case.
 */
public final class DeliveryLog implements AutoCloseable {
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
  private final Clock clock;
  private long lastSweep;

  /**
   * @param consumer a consumer without group management (the log assigns itself every partition)
   * @param topic the receipts topic
   * @param window how long an accepted id is remembered
   */
  public DeliveryLog(
      Consumer<String, byte[]> consumer, String topic, Duration window, Clock clock) {
    this.window = window;
    this.clock = clock;
    this.follower = new TopicFollower("delivery-log", consumer, topic, this::remember, this::sweep);
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

  private void remember(ConsumerRecord<String, byte[]> record) {
    if (record.key() != null && record.value() != null) {
      accepted.accept(record.key(), Math.max(1, record.timestamp()));
    }
  }

  private void sweep() {
    long now = clock.millis();
    if (now - lastSweep < 60_000) {
      return;
    }
    lastSweep = now;
    long oldest = now - window.toMillis();
    accepted.forgetBefore(oldest);
  }

  @Override
  public void close() throws InterruptedException {
    follower.close();
  }
}
