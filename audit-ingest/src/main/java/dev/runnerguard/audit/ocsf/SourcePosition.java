package dev.runnerguard.audit.ocsf;

/** Where a record sat in Kafka: topic, partition and offset. */
public record SourcePosition(String topic, int partition, long offset) {

  @Override
  public String toString() {
    return topic + "-" + partition + "@" + offset;
  }
}
