package dev.runnerguard.audit.sink;

import dev.runnerguard.audit.config.AuditConfig;
import dev.runnerguard.audit.spi.AuditSink;
import dev.runnerguard.audit.store.AuditStore;
import dev.runnerguard.audit.store.StoredEvent;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Runs every enabled {@link AuditSink} on its own thread: read the sink's position, hand it the
 * next rows, advance the position after the sink acknowledged, back off (capped exponential) when
 * it failed. Publishes {@code runnerguard.audit.sink.lag{sink}} (chain head seq minus the sink's
 * position) and {@code runnerguard.audit.sink.delivered{sink}}.
 */
@ApplicationScoped
public class SinkForwarder {
  private static final Logger LOG = Logger.getLogger(SinkForwarder.class);

  private final Instance<AuditSink> sinks;
  private final AuditStore store;
  private final AuditConfig config;
  private final MeterRegistry registry;
  private final Map<String, AtomicLong> lags = new ConcurrentHashMap<>();
  private volatile boolean running;
  private final List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();

  public SinkForwarder(
      Instance<AuditSink> sinks, AuditStore store, AuditConfig config, MeterRegistry registry) {
    this.sinks = sinks;
    this.store = store;
    this.config = config;
    this.registry = registry;
  }

  void start(@Observes StartupEvent ev) {
    running = true;
    for (AuditSink sink : sinks) {
      if (!sink.enabled()) {
        continue;
      }
      AtomicLong lag = lags.computeIfAbsent(sink.name(), n -> new AtomicLong());
      Gauge.builder("runnerguard.audit.sink.lag", lag, AtomicLong::get)
          .tag("sink", sink.name())
          .description("stored events not yet acknowledged by the sink")
          .register(registry);
      Thread t = new Thread(() -> run(sink, lag), "audit-sink-" + sink.name());
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  void stop(@Observes ShutdownEvent ev) {
    running = false;
    threads.forEach(Thread::interrupt);
  }

  private void run(AuditSink sink, AtomicLong lag) {
    long idle = Math.max(10, config.sink().pollInterval().toMillis());
    long maxBackoff = Math.max(100, config.sink().retryBackoffMax().toMillis());
    long backoff = 100;
    while (running) {
      try {
        long position = store.sinkPosition(sink.name());
        lag.set(Math.max(0, store.headSeq() - position));
        List<StoredEvent> batch = store.after(position, config.sink().batchSize());
        if (batch.isEmpty()) {
          Thread.sleep(idle);
          continue;
        }
        sink.deliver(batch);
        long last = batch.get(batch.size() - 1).seq();
        store.advanceSink(sink.name(), last);
        registry
            .counter("runnerguard.audit.sink.delivered", "sink", sink.name())
            .increment(batch.size());
        backoff = 100;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        registry.counter("runnerguard.audit.sink.failures", "sink", sink.name()).increment();
        LOG.warnf("sink %s failed (%s), retrying in %d ms", sink.name(), e.toString(), backoff);
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        backoff = Math.min(maxBackoff, backoff * 2);
      }
    }
  }
}
