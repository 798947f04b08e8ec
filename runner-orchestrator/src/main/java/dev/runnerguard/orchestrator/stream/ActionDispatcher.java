package dev.runnerguard.orchestrator.stream;

import dev.runnerguard.orchestrator.state.Action;

/**
 * Takes the side effects the state machine decided and performs them asynchronously (never on the
 * stream thread); outcomes come back as {@code ProviderEvent}s on {@code runner.provider-event}.
 */
@FunctionalInterface
public interface ActionDispatcher {
  void dispatch(Action action);
}
