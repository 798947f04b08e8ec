package dev.runnerguard.orchestrator.spi;

import dev.runnerguard.schemas.avro.Isolation;

/**
 * What a provider declares it can do.
 *
 * @param isolation the isolation level its runners get (admission asks for one)
 * @param canFreeze whether {@link RunnerProvider#freeze} really stops the workload
 * @param canCutNetwork whether {@link RunnerProvider#isolateNetwork} really cuts the network
 * @param hostSensor whether it observes its runners from outside and reports {@link Observation}s
 */
public record ProviderCapabilities(
    Isolation isolation, boolean canFreeze, boolean canCutNetwork, boolean hostSensor) {}
