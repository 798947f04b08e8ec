package dev.runnerguard.schemas.serde;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer for RunnerGuard's generated Avro records. By default it reads Avro
 * single-object encoding with {@link EventCodec} (current and released writer schemas, no
 * registry); when {@value SerdeConfig#APICURIO_REGISTRY_URL} is configured it delegates to Apicurio
 * Registry's Avro serde with the specific reader.
 *
 * <p>An undecodable value (including null) throws {@link UndecodableRecordException} naming the
 * topic; Kafka's consumer wraps it in a {@code RecordDeserializationException} that carries the
 * partition and offset, so the consumer can send the record to its dead-letter topic and go on.
 *
 * @param <T> the generated record class
 */
public class RunnerGuardAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

  private final SerdeSetup<T, Deserializer<T>> setup;

  /** For Kafka's reflective instantiation; configure {@value SerdeConfig#TYPE}. */
  public RunnerGuardAvroDeserializer() {
    this.setup = new SerdeSetup<>(null);
  }

  /** A registry-free deserializer of one record class, usable without {@link #configure}. */
  public RunnerGuardAvroDeserializer(Class<T> type) {
    this.setup = new SerdeSetup<>(type);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    setup.configure(configs, isKey, ApicurioSerdes::deserializer);
  }

  /** The mode this deserializer was configured with. */
  public SerdeMode mode() {
    return setup.mode();
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (setup.delegate() != null) {
      return setup.delegate().deserialize(topic, data);
    }
    return setup.codec().decode(topic, -1, -1, data);
  }

  @Override
  public T deserialize(String topic, Headers headers, byte[] data) {
    if (setup.delegate() != null) {
      return setup.delegate().deserialize(topic, headers, data);
    }
    return setup.codec().decode(topic, -1, -1, data);
  }

  @Override
  public void close() {
    setup.close();
  }
}
