package dev.runnerguard.orchestrator.state;

import dev.runnerguard.schemas.avro.RunnerState;
import java.util.Map;

/**
 * One lifecycle transition, published on {@code runner.lifecycle}. A step inside a state (a
 * quarantine step) has {@code from == to}.
 */
public record Change(
    RunnerState from,
    RunnerState to,
    String reason,
    Map<String, Long> durations,
    Map<String, String> attributes) {

  public Change {
    durations = Map.copyOf(durations == null ? Map.of() : durations);
    attributes = Map.copyOf(attributes == null ? Map.of() : attributes);
  }
}
