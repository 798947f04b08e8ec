package dev.runnerguard.schemas.serde;

/** How a RunnerGuard Kafka serde encodes values. */
public enum SerdeMode {
  /** Avro single-object encoding, no registry (the default). */
  SINGLE_OBJECT,
  /** Apicurio Registry's Avro serde, selected by {@code apicurio.registry.url}. */
  APICURIO
}
