package dev.runnerguard.policy.reload;

import dev.runnerguard.policy.admission.PolicySet;
import dev.runnerguard.policy.config.PolicyConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The service's active admission policy set: loaded at start from {@code
 * runnerguard.policy.directory} (or the packaged default set when none is configured), then re-read
 * every {@code runnerguard.policy.poll-interval}.
 *
 * <p>Metrics: {@code runnerguard_policy_reloads_total{result=ok|rejected|unreadable}}, {@code
 * runnerguard_policy_active_info{version}} (1 for the active version), {@code
 * runnerguard_policy_active_rules}.
 */
@ApplicationScoped
public class PolicyService {
  private static final Logger LOG = Logger.getLogger(PolicyService.class);

  private final PolicyConfig config;
  private final MeterRegistry registry;
  private PolicyStore store;
  private ScheduledExecutorService poller;
  private Gauge versionGauge;

  public PolicyService(PolicyConfig config, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
  }

  void onStart(@Observes StartupEvent ignored) {
    start();
  }

  void onStop(@Observes ShutdownEvent ignored) {
    if (poller != null) {
      poller.shutdownNow();
    }
  }

  /** Loads the first set and starts polling (idempotent). */
  public synchronized void start() {
    if (store != null) {
      return;
    }
    PolicyDirectory directory =
        config
            .directory()
            .filter(d -> !d.isBlank())
            .<PolicyDirectory>map(d -> new PolicyDirectory.OnDisk(Path.of(d)))
            .orElseGet(PolicyDirectory.ClassPath::defaults);
    if (directory instanceof PolicyDirectory.ClassPath) {
      LOG.infof(
          "runnerguard.policy.directory (RUNNERGUARD_POLICY_DIR) not set: using the default policy"
              + " set packaged at %s",
          directory.describe());
    } else {
      LOG.infof(
          "admission policies from %s, checked every %s",
          directory.describe(), config.pollInterval());
    }
    Gauge.builder(
            "runnerguard.policy.active.rules",
            this,
            s -> s.active().map(p -> p.rules().size()).orElse(0))
        .description("rules of the active admission policy set")
        .register(registry);
    store = new PolicyStore(directory, this::onEvent);
    store.poll();
    long every = Math.max(100, config.pollInterval().toMillis());
    poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "policy-reload");
              t.setDaemon(true);
              return t;
            });
    poller.scheduleWithFixedDelay(this::pollQuietly, every, every, TimeUnit.MILLISECONDS);
  }

  /** Checks the directory now (also what the poller does). */
  public PolicyStore.Outcome pollNow() {
    return store.poll();
  }

  /** The active policy set, empty while none is loaded. */
  public Optional<PolicySet> active() {
    return store == null ? Optional.empty() : store.active();
  }

  /** Why the newest content is not active, if it is not. */
  public Optional<String> lastProblem() {
    return store == null ? Optional.empty() : store.lastProblem();
  }

  private void pollQuietly() {
    try {
      store.poll();
    } catch (RuntimeException e) {
      LOG.errorf(e, "policy reload failed");
    }
  }

  private synchronized void onEvent(PolicyStore.Event event) {
    switch (event.outcome()) {
      case LOADED -> {
        registry.counter("runnerguard.policy.reloads", "result", "ok").increment();
        if (versionGauge != null) {
          registry.remove(versionGauge);
        }
        versionGauge =
            Gauge.builder("runnerguard.policy.active.info", () -> 1)
                .description("the active admission policy version (value always 1)")
                .tag("version", event.version())
                .register(registry);
        LOG.infof("policy set %s active (%s)", event.version(), event.detail());
      }
      case REJECTED -> {
        registry.counter("runnerguard.policy.reloads", "result", "rejected").increment();
        LOG.errorf(
            "policy set %s rejected, %s stays active: %s",
            event.version(), active().map(PolicySet::version).orElse("no policy"), event.detail());
      }
      case UNREADABLE -> {
        registry.counter("runnerguard.policy.reloads", "result", "unreadable").increment();
        LOG.errorf(
            "policies unreadable, %s stays active: %s",
            active().map(PolicySet::version).orElse("no policy"), event.detail());
      }
      default -> {}
    }
  }
}
