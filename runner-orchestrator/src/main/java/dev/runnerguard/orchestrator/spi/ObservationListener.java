package dev.runnerguard.orchestrator.spi;

/**
 * Receives a provider's {@link Observation}s. Implementations return quickly (they hand the
 * observation to a Kafka producer); the provider calls it from its sensor threads.
 */
@FunctionalInterface
public interface ObservationListener {
  void observed(Observation observation);
}
