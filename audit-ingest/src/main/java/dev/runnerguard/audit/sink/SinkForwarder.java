package dev.runnerguard.audit.sink;

import dev.runnerguard.audit.config.AuditConfig;
import dev.runnerguard.audit.spi.AuditSink;
import dev.runnerguard.audit.spi.AuditSinkProvider;
import dev.runnerguard.audit.spi.SinkException;
import dev.runnerguard.audit.store.AuditStore;
import dev.runnerguard.audit.store.StoredEvent;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.logging.Logger;

/**
 * Runs every enabled {@link AuditSink} (sink beans and the sinks of {@link AuditSinkProvider}s) on
 * its own thread: read the sink's durable position, hand it the next rows, advance the position
 * after the sink acknowledged, back off when it failed (retriable: capped exponential from 100 ms;
 * permanent: the longest backoff). Nothing is ever skipped. Publishes per sink {@code
 * runnerguard.audit.sink.lag} (chain head seq minus the sink's position), {@code
 * runnerguard.audit.sink.position}, {@code runnerguard.audit.sink.delivered} and {@code
 * runnerguard.audit.sink.failures{kind=retriable|permanent}}, and a {@link SinkStatus} per sink for
 * the health check.
 */
@ApplicationScoped
public class SinkForwarder {
  private static final Logger LOG = Logger.getLogger(SinkForwarder.class);

  private final Instance<AuditSink> sinkBeans;
  private final Instance<AuditSinkProvider> providers;
  private final AuditStore store;
  private final AuditConfig config;
  private final MeterRegistry registry;
  private final Map<String, SinkStatus> statuses = new ConcurrentHashMap<>();
  private volatile boolean running;
  private final List<Thread> threads = new CopyOnWriteArrayList<>();

  public SinkForwarder(
      Instance<AuditSink> sinkBeans,
      Instance<AuditSinkProvider> providers,
      AuditStore store,
      AuditConfig config,
      MeterRegistry registry) {
    this.sinkBeans = sinkBeans;
    this.providers = providers;
    this.store = store;
    this.config = config;
    this.registry = registry;
  }

  /** Every enabled sink. */
  public List<AuditSink> enabledSinks() {
    List<AuditSink> all = new ArrayList<>();
    for (AuditSink s : sinkBeans) {
      all.add(s);
    }
    for (AuditSinkProvider p : providers) {
      all.addAll(p.sinks());
    }
    all.removeIf(s -> !s.enabled());
    return all;
  }

  /** The status of each running sink, by name. */
  public Map<String, SinkStatus> statuses() {
    return Map.copyOf(statuses);
  }

  void start(@Observes StartupEvent ev) {
    running = true;
    for (AuditSink sink : enabledSinks()) {
      if (statuses.containsKey(sink.name())) {
        throw new IllegalStateException("two audit sinks are named " + sink.name());
      }
      SinkStatus status = new SinkStatus(sink.name());
      statuses.put(sink.name(), status);
      Gauge.builder("runnerguard.audit.sink.lag", status, SinkStatus::lag)
          .tag("sink", sink.name())
          .description("stored events not yet acknowledged by the sink")
          .register(registry);
      Gauge.builder("runnerguard.audit.sink.position", status, SinkStatus::position)
          .tag("sink", sink.name())
          .description("last seq the sink acknowledged (its durable position)")
          .register(registry);
      Thread t = new Thread(() -> run(sink, status), "audit-sink-" + sink.name());
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  void stop(@Observes ShutdownEvent ev) {
    running = false;
    threads.forEach(Thread::interrupt);
  }

  private void run(AuditSink sink, SinkStatus status) {
    long idle = Math.max(10, config.sink().pollInterval().toMillis());
    long maxBackoff = Math.max(100, config.sink().retryBackoffMax().toMillis());
    long backoff = 100;
    while (running) {
      try {
        long position = store.sinkPosition(sink.name());
        status.position(position, store.headSeq());
        List<StoredEvent> batch = store.after(position, config.sink().batchSize());
        if (batch.isEmpty()) {
          status.idle();
          Thread.sleep(idle);
          continue;
        }
        sink.deliver(batch);
        long last = batch.get(batch.size() - 1).seq();
        store.advanceSink(sink.name(), last);
        status.delivered(batch.size(), last, Instant.now());
        registry
            .counter("runnerguard.audit.sink.delivered", "sink", sink.name())
            .increment(batch.size());
        backoff = 100;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        if (!running) {
          return;
        }
        boolean retriable = SinkException.retriable(e);
        long wait = retriable ? backoff : maxBackoff;
        status.failed(e, retriable, Instant.now());
        registry
            .counter(
                "runnerguard.audit.sink.failures",
                "sink",
                sink.name(),
                "kind",
                retriable ? "retriable" : "permanent")
            .increment();
        // describe() never contains a payload or a secret (sinks build their messages that way)
        LOG.warnf(
            "sink %s failed (%s, %s), retrying in %d ms",
            sink.name(), retriable ? "retriable" : "permanent", SinkStatus.describe(e), wait);
        try {
          Thread.sleep(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        backoff = retriable ? Math.min(maxBackoff, backoff * 2) : backoff;
      }
    }
  }
}
