package dev.runnerguard.schemas.serde;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serializer for RunnerGuard's generated Avro records. By default it writes Avro
 * single-object encoding with {@link EventCodec} and needs no registry; when {@value
 * SerdeConfig#APICURIO_REGISTRY_URL} is configured it delegates to Apicurio Registry's Avro serde
 * (which then needs {@code io.apicurio:apicurio-registry-avro-serde-kafka} on the classpath).
 *
 * <p>The record class comes from the constructor or from {@value SerdeConfig#TYPE}.
 *
 * @param <T> the generated record class
 */
public class RunnerGuardAvroSerializer<T extends SpecificRecord> implements Serializer<T> {

  private final SerdeSetup<T, Serializer<T>> setup;

  /** For Kafka's reflective instantiation; configure {@value SerdeConfig#TYPE}. */
  public RunnerGuardAvroSerializer() {
    this.setup = new SerdeSetup<>(null);
  }

  /** A registry-free serializer of one record class, usable without {@link #configure}. */
  public RunnerGuardAvroSerializer(Class<T> type) {
    this.setup = new SerdeSetup<>(type);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    setup.configure(configs, isKey, ApicurioSerdes::serializer);
  }

  /** The mode this serializer was configured with. */
  public SerdeMode mode() {
    return setup.mode();
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    if (setup.delegate() != null) {
      return setup.delegate().serialize(topic, data);
    }
    return setup.codec().encode(data);
  }

  @Override
  public byte[] serialize(String topic, Headers headers, T data) {
    if (data == null) {
      return null;
    }
    if (setup.delegate() != null) {
      return setup.delegate().serialize(topic, headers, data);
    }
    return setup.codec().encode(data);
  }

  @Override
  public void close() {
    setup.close();
  }
}
