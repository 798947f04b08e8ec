package dev.runnerguard.audit.store;

import dev.runnerguard.audit.config.AuditConfig;
import dev.runnerguard.audit.ocsf.NormalisedEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Appends batches to the chain with the storage error policy: retriable failures are retried with
 * capped exponential backoff until the store answers (the consumer stalls, nothing is dead-lettered
 * and no offset is committed); a permanent failure of a batch is narrowed down by storing its
 * events one by one, and the events that still fail are handed back for dead-lettering.
 *
 * <p>Every append runs on one thread, {@code audit-chain-appender}, in the order the batches were
 * submitted: the chain head is a single point of order anyway (appends serialise on its row lock),
 * and the callers' threads stay free to decode, normalise and prepare the next batch while this one
 * is in PostgreSQL ({@link #submit}). Batches a channel submits one after the other are stored in
 * that order.
 */
@ApplicationScoped
public class ChainWriter {
  private static final Logger LOG = Logger.getLogger(ChainWriter.class);

  private final AuditStore store;
  private final AuditConfig config;
  private final MeterRegistry registry;
  private final Counter duplicates;
  private final Counter retries;
  private final ExecutorService appender =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "audit-chain-appender");
            t.setDaemon(true);
            return t;
          });

  public ChainWriter(AuditStore store, AuditConfig config, MeterRegistry registry) {
    this.store = store;
    this.config = config;
    this.registry = registry;
    this.duplicates =
        Counter.builder("runnerguard.audit.events.duplicates")
            .description("redelivered events skipped because their event id is already stored")
            .register(registry);
    this.retries =
        Counter.builder("runnerguard.audit.store.retries")
            .description("retriable storage failures that were retried")
            .register(registry);
  }

  /**
   * A stored batch with the events that could not be stored for a permanent reason (their columns
   * and Kafka position; their OCSF tree is no longer held, see {@link AuditStore.Row}).
   */
  public record Outcome(int stored, int duplicates, List<NormalisedEvent> rejected) {}

  /** Appends a batch; returns only when it is stored (or its permanent failures are isolated). */
  public Outcome write(List<NormalisedEvent> events) throws InterruptedException {
    return await(submit(events));
  }

  /**
   * Prepares a batch on the calling thread ({@link AuditStore#prepare}: canonical JSON, COPY rows)
   * and queues its append behind the batches submitted before it. The future completes when the
   * batch is stored (or its permanent failures are isolated), with the same outcome as {@link
   * #write}.
   */
  public CompletableFuture<Outcome> submit(List<NormalisedEvent> events) {
    if (events.isEmpty()) {
      return CompletableFuture.completedFuture(new Outcome(0, 0, List.of()));
    }
    AuditStore.Prepared prepared = AuditStore.prepare(events);
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return store(prepared);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
          }
        },
        appender);
  }

  /** The outcome of a submitted batch, waiting for it; its failure rethrown as it was. */
  public static Outcome await(CompletableFuture<Outcome> f) throws InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof InterruptedException ie) {
        throw ie;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }

  @PreDestroy
  void stop() {
    // batches already queued are still appended; nothing new is taken
    appender.shutdown();
  }

  /** Runs on the appender thread. */
  private Outcome store(AuditStore.Prepared prepared) throws InterruptedException {
    try {
      AppendResult r = appendRetrying(prepared);
      return new Outcome(record(r), r.duplicates(), List.of());
    } catch (SQLException permanent) {
      List<AuditStore.Row> rows = prepared.rows();
      if (rows.size() == 1) {
        NormalisedEvent e = rows.get(0).event();
        LOG.errorf(
            "event %s at %s cannot be stored (permanent): %s",
            e.eventId(), e.position(), permanent.getMessage());
        return new Outcome(0, prepared.duplicates(), List.of(e));
      }
      LOG.warnf("batch of %d failed permanently, storing one by one: %s", rows.size(), permanent);
      int stored = 0;
      int dups = prepared.duplicates();
      List<NormalisedEvent> rejected = new ArrayList<>();
      for (AuditStore.Row row : rows) {
        Outcome o = store(new AuditStore.Prepared(List.of(row), 0));
        stored += o.stored();
        dups += o.duplicates();
        rejected.addAll(o.rejected());
      }
      return new Outcome(stored, dups, rejected);
    }
  }

  private AppendResult appendRetrying(AuditStore.Prepared events)
      throws SQLException, InterruptedException {
    long backoff = 100;
    long max = Math.max(100, config.store().retryBackoffMax().toMillis());
    while (true) {
      try {
        return store.append(events);
      } catch (SQLException e) {
        if (!StorageErrors.retriable(e)) {
          throw e;
        }
        retries.increment();
        LOG.warnf("storage unavailable (%s), retrying in %d ms", e.getMessage(), backoff);
        Thread.sleep(backoff);
        backoff = Math.min(max, backoff * 2);
      }
    }
  }

  private int record(AppendResult r) {
    // one counter look-up per class in the batch, not per event
    java.util.Map<Integer, Integer> perClass = new java.util.HashMap<>();
    for (Integer cls : r.storedClassUids()) {
      perClass.merge(cls, 1, Integer::sum);
    }
    perClass.forEach(
        (cls, n) ->
            registry
                .counter("runnerguard.audit.events.stored", "class_uid", Integer.toString(cls))
                .increment(n));
    if (r.duplicates() > 0) {
      duplicates.increment(r.duplicates());
    }
    return r.storedClassUids().size();
  }
}
