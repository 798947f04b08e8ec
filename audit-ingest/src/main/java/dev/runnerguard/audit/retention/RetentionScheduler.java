package dev.runnerguard.audit.retention;

import dev.runnerguard.audit.config.AuditConfig;
import dev.runnerguard.audit.sink.SinkForwarder;
import dev.runnerguard.audit.spi.AuditSink;
import dev.runnerguard.audit.store.AuditStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Retention by age: every {@code interval}, prunes the rows stored before {@code now - max-age}
 * that every enabled sink has already delivered, leaving a signed checkpoint ({@link
 * AuditStore#prune}). Refuses to start when enabled without a checkpoint key.
 */
@ApplicationScoped
public class RetentionScheduler {
  private static final Logger LOG = Logger.getLogger(RetentionScheduler.class);

  private final AuditConfig config;
  private final AuditStore store;
  private final SinkForwarder forwarder;
  private final CheckpointSigner signer;
  private final MeterRegistry registry;
  private ScheduledExecutorService executor;

  public RetentionScheduler(
      AuditConfig config,
      AuditStore store,
      SinkForwarder forwarder,
      CheckpointSigner signer,
      MeterRegistry registry) {
    this.config = config;
    this.store = store;
    this.forwarder = forwarder;
    this.signer = signer;
    this.registry = registry;
  }

  void start(@Observes StartupEvent ev) {
    if (!config.retention().enabled()) {
      return;
    }
    if (!signer.hasKey()) {
      throw new IllegalStateException(
          "runnerguard.audit.retention.enabled=true needs a checkpoint key:"
              + " RUNNERGUARD_AUDIT_RETENTION_CHECKPOINT_KEY or"
              + " RUNNERGUARD_AUDIT_RETENTION_CHECKPOINT_KEY_FILE");
    }
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "audit-retention");
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(1000, config.retention().interval().toMillis());
    executor.scheduleWithFixedDelay(this::runQuietly, every, every, TimeUnit.MILLISECONDS);
  }

  void stop(@Observes ShutdownEvent ev) {
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  private void runQuietly() {
    try {
      runOnce();
    } catch (Exception e) {
      registry.counter("runnerguard.audit.retention.failures").increment();
      LOG.warnf("retention run failed: %s", e.toString());
    }
  }

  /** One retention pass; returns the new checkpoint or null. */
  public Checkpoint runOnce() throws java.sql.SQLException {
    List<String> sinks =
        forwarder.enabledSinks().stream().map(AuditSink::name).collect(Collectors.toList());
    long maxSeq = sinks.isEmpty() ? Long.MAX_VALUE : store.minSinkPosition(sinks);
    Instant cutoff = Instant.now().minus(config.retention().maxAge());
    Checkpoint cp = store.prune(cutoff, maxSeq);
    if (cp != null) {
      registry.counter("runnerguard.audit.retention.pruned").increment(cp.prunedRows());
      LOG.infof(
          "retention pruned %d rows through seq %d (stored before %s); checkpoint signed (%s)",
          cp.prunedRows(), cp.throughSeq(), cutoff, cp.keyId());
    }
    return cp;
  }
}
