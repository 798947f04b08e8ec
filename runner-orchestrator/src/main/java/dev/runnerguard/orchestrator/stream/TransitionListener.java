package dev.runnerguard.orchestrator.stream;

import dev.runnerguard.orchestrator.state.Change;
import dev.runnerguard.schemas.avro.RunnerRecord;

/** Observes every applied transition (metrics). Called on the stream thread; must be quick. */
@FunctionalInterface
public interface TransitionListener {
  void transitioned(RunnerRecord runner, Change change);

  TransitionListener NONE = (r, c) -> {};
}
