package dev.runnerguard.orchestrator.runtime;

import dev.runnerguard.orchestrator.execute.ActionExecutor;
import dev.runnerguard.orchestrator.state.Action;
import dev.runnerguard.orchestrator.state.Change;
import dev.runnerguard.orchestrator.stream.TransitionListener;
import dev.runnerguard.schemas.avro.RunnerRecord;
import dev.runnerguard.schemas.avro.RunnerState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.ToIntFunction;

/**
 * The orchestrator's metrics: runners by state (from the read model), transitions, provisioning
 * latency (requested to idle), quarantine latency (quarantined to network cut, and whole sequence),
 * actions by type and outcome, host-sensor signals by kind.
 */
public final class OrchestratorMetrics
    implements TransitionListener, ActionExecutor.ActionListener {
  private final MeterRegistry registry;
  private final Timer provisioning;
  private final Timer quarantineNetworkCut;
  private final Timer quarantineTotal;
  private final java.util.concurrent.atomic.AtomicInteger waiting =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * @param runnersInState how many runners are in a state now (the read model, all instances)
   */
  public OrchestratorMetrics(MeterRegistry registry, ToIntFunction<RunnerState> runnersInState) {
    this.registry = registry;
    for (RunnerState s : RunnerState.values()) {
      if (s == RunnerState.UNKNOWN) {
        continue;
      }
      Gauge.builder("runnerguard_orchestrator_runners", () -> runnersInState.applyAsInt(s))
          .description("Runners by lifecycle state (all instances, from the changelog)")
          .tag("state", s.name())
          .register(registry);
    }
    Gauge.builder("runnerguard_orchestrator_quota_waiting_jobs", waiting, Number::doubleValue)
        .description("Admitted jobs waiting for a quota (on the instance owning the quota gate)")
        .register(registry);
    provisioning =
        Timer.builder("runnerguard_orchestrator_provisioning_seconds")
            .description("From admission (REQUESTED) to the runner program running (IDLE)")
            .publishPercentileHistogram()
            .register(registry);
    quarantineNetworkCut =
        Timer.builder("runnerguard_orchestrator_quarantine_network_cut_seconds")
            .description("From the quarantine command taking effect to the network cut done")
            .publishPercentileHistogram()
            .register(registry);
    quarantineTotal =
        Timer.builder("runnerguard_orchestrator_quarantine_seconds")
            .description("The whole quarantine sequence, from QUARANTINED to destroyed")
            .publishPercentileHistogram()
            .register(registry);
  }

  @Override
  public void transitioned(RunnerRecord runner, Change change) {
    Counter.builder("runnerguard_orchestrator_transitions_total")
        .description("Lifecycle transitions by target state")
        .tag("to", change.to().name())
        .register(registry)
        .increment();
    if (change.to() == RunnerState.IDLE && change.from() != RunnerState.IDLE) {
      provisioning.record(
          Duration.ofMillis(Math.max(0, runner.getStateSince() - runner.getCreatedAt())));
    }
    if (change.to() == RunnerState.DESTROYED && change.durations().containsKey("quarantineTotal")) {
      quarantineTotal.record(Duration.ofMillis(change.durations().get("quarantineTotal")));
    }
  }

  @Override
  public void executed(Action.Type type, String outcome, long millis) {
    Counter.builder("runnerguard_orchestrator_actions_total")
        .description("Provider and GitHub actions by type and outcome")
        .tag("action", type.name())
        .tag("outcome", outcome == null ? "unknown" : outcome.split(":")[0])
        .register(registry)
        .increment();
  }

  @Override
  public void quarantineStep(String step, long sinceQuarantine) {
    if ("network-cut".equals(step)) {
      quarantineNetworkCut.record(Duration.ofMillis(Math.max(0, sinceQuarantine)));
    }
  }

  /** The quota gate's waiting jobs. */
  public void waiting(int n) {
    waiting.set(n);
  }

  /** Counts a host-sensor signal. */
  public void signal(String kind) {
    Counter.builder("runnerguard_orchestrator_sensor_signals_total")
        .description("Host-sensor signals published, by kind")
        .tag("kind", kind)
        .register(registry)
        .increment();
  }
}
