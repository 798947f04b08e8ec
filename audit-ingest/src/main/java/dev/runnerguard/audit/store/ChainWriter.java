package dev.runnerguard.audit.store;

import dev.runnerguard.audit.config.AuditConfig;
import dev.runnerguard.audit.ocsf.NormalisedEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Appends batches to the chain with the storage error policy: retriable failures are retried with
 * capped exponential backoff until the store answers (the consumer stalls, nothing is dead-lettered
 * and no offset is committed); a permanent failure of a batch is narrowed down by storing its
 * events one by one, and the events that still fail are handed back for dead-lettering.
 */
@ApplicationScoped
public class ChainWriter {
  private static final Logger LOG = Logger.getLogger(ChainWriter.class);

  private final AuditStore store;
  private final AuditConfig config;
  private final MeterRegistry registry;
  private final Counter duplicates;
  private final Counter retries;

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

  /** A stored batch with the events that could not be stored for a permanent reason. */
  public record Outcome(int stored, int duplicates, List<NormalisedEvent> rejected) {}

  /** Appends a batch; returns only when it is stored (or its permanent failures are isolated). */
  public Outcome write(List<NormalisedEvent> events) throws InterruptedException {
    if (events.isEmpty()) {
      return new Outcome(0, 0, List.of());
    }
    try {
      AppendResult r = appendRetrying(events);
      return new Outcome(record(r), r.duplicates(), List.of());
    } catch (SQLException permanent) {
      if (events.size() == 1) {
        LOG.errorf(
            "event %s at %s cannot be stored (permanent): %s",
            events.get(0).eventId(), events.get(0).position(), permanent.getMessage());
        return new Outcome(0, 0, List.of(events.get(0)));
      }
      LOG.warnf("batch of %d failed permanently, storing one by one: %s", events.size(), permanent);
      int stored = 0;
      int dups = 0;
      List<NormalisedEvent> rejected = new ArrayList<>();
      for (NormalisedEvent e : events) {
        Outcome o = write(List.of(e));
        stored += o.stored();
        dups += o.duplicates();
        rejected.addAll(o.rejected());
      }
      return new Outcome(stored, dups, rejected);
    }
  }

  private AppendResult appendRetrying(List<NormalisedEvent> events)
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
    for (Integer cls : r.storedClassUids()) {
      registry
          .counter("runnerguard.audit.events.stored", "class_uid", Integer.toString(cls))
          .increment();
    }
    if (r.duplicates() > 0) {
      duplicates.increment(r.duplicates());
    }
    return r.storedClassUids().size();
  }
}
