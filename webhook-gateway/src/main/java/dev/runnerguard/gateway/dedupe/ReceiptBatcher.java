package dev.runnerguard.gateway.dedupe;

import dev.runnerguard.schemas.DeliveryReceipts;
import dev.runnerguard.schemas.avro.AcceptedDelivery;
import dev.runnerguard.schemas.avro.DeliveryReceipt;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Gathers the receipts of accepted deliveries and writes them as one {@code github.delivery} record
 * per {@code linger} (at most {@link DeliveryReceipts#MAX_PER_RECORD} deliveries a record) instead
 * of one record per delivery.
 *
 * <p>Why: a record per delivery cost the broker about a fifth of its CPU and the gateway several
 * per cent at 5000 deliveries/s (measured by leaving receipts out); the cost is per record, not per
 * byte. What it costs: a receipt reaches the other replicas up to {@code linger} later, which
 * widens the (documented) window in which two replicas can both accept the same delivery id. This
 * replica's own dedupe does not wait for receipts ({@link DeliveryLog#complete}).
 *
 * <p>The first delivery added to an empty batch schedules the batch's write {@code linger} later on
 * the batcher's own thread; a full batch is written at once by the thread that filled it. {@link
 * #close} writes what is pending. A receipt that cannot be written only weakens dedupe: the failure
 * is reported with the number of deliveries it named.
 */
public final class ReceiptBatcher implements AutoCloseable {

  /** Sends a receipt record; the stage completes when the broker acknowledged it. */
  @FunctionalInterface
  public interface Writer {
    CompletionStage<?> write(DeliveryReceipt receipt);
  }

  /** Told when a receipt record could not be written. */
  @FunctionalInterface
  public interface Failures {
    /**
     * @param deliveries the deliveries the lost record named, in acceptance order
     */
    void failed(List<AcceptedDelivery> deliveries, Throwable cause);
  }

  private final Writer writer;
  private final EventMetadataFactory metadata;
  private final Failures failures;
  private final long lingerNanos;
  private final ScheduledExecutorService timer;
  private final Object lock = new Object();
  private List<AcceptedDelivery> pending = new ArrayList<>();
  private boolean closed;

  /**
   * @param linger how long the first receipt of a batch waits for others (zero: written on the
   *     batcher's thread as soon as it gets to it)
   */
  public ReceiptBatcher(
      Writer writer, EventMetadataFactory metadata, Failures failures, Duration linger) {
    this.writer = Objects.requireNonNull(writer, "writer");
    this.metadata = Objects.requireNonNull(metadata, "metadata");
    this.failures = Objects.requireNonNull(failures, "failures");
    if (linger.isNegative()) {
      throw new IllegalArgumentException("linger must not be negative, was " + linger);
    }
    this.lingerNanos = linger.toNanos();
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "receipt-batcher");
              t.setDaemon(true);
              return t;
            });
  }

  /** Adds an accepted delivery's receipt; after {@link #close} it is written at once. */
  public void add(AcceptedDelivery delivery) {
    Objects.requireNonNull(delivery, "delivery");
    List<AcceptedDelivery> full = null;
    boolean schedule = false;
    synchronized (lock) {
      if (closed) {
        full = List.of(delivery);
      } else {
        pending.add(delivery);
        if (pending.size() >= DeliveryReceipts.MAX_PER_RECORD) {
          full = pending;
          pending = new ArrayList<>();
        } else {
          schedule = pending.size() == 1;
        }
      }
    }
    if (full != null) {
      write(full);
    } else if (schedule) {
      try {
        timer.schedule(this::flush, lingerNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException closedMeanwhile) {
        flush(); // close() may have taken it already; then this finds nothing
      }
    }
  }

  /** Writes the pending receipts, if any, as one record. */
  void flush() {
    List<AcceptedDelivery> taken;
    synchronized (lock) {
      if (pending.isEmpty()) {
        return;
      }
      taken = pending;
      pending = new ArrayList<>();
    }
    write(taken);
  }

  private void write(List<AcceptedDelivery> batch) {
    CompletionStage<?> sent;
    try { // a failure here must not stop the batcher's thread
      sent =
          writer.write(
              DeliveryReceipts.of(
                  metadata.create(
                      EventMetadataFactory.correlation(
                          batch.get(0).getDeliveryId(), null, null, null)),
                  batch));
    } catch (RuntimeException e) {
      failures.failed(batch, e);
      return;
    }
    sent.whenComplete(
        (ok, error) -> {
          if (error != null) {
            failures.failed(batch, error);
          }
        });
  }

  /** Writes what is pending and stops the batcher's thread; later receipts are written at once. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
    }
    flush();
    timer.shutdownNow();
  }
}
