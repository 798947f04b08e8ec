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

  private Class<T> type;
  private SerdeMode mode = SerdeMode.SINGLE_OBJECT;
  private EventCodec<T> codec;
  private Serializer<T> delegate;

  /** For Kafka's reflective instantiation; configure {@value SerdeConfig#TYPE}. */
  public RunnerGuardAvroSerializer() {}

  /** A registry-free serializer of one record class, usable without {@link #configure}. */
  public RunnerGuardAvroSerializer(Class<T> type) {
    this.type = type;
    this.codec = EventCodec.of(type);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    mode = SerdeConfig.mode(configs);
    if (mode == SerdeMode.APICURIO) {
      try {
        delegate = ApicurioSerdes.serializer(configs, isKey);
      } catch (LinkageError e) {
        throw SerdeConfig.apicurioMissing(e);
      }
      codec = null;
    } else {
      type = SerdeConfig.recordType(configs, type);
      codec = EventCodec.of(type);
    }
  }

  /** The mode this serializer was configured with. */
  public SerdeMode mode() {
    return mode;
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    if (delegate != null) {
      return delegate.serialize(topic, data);
    }
    return codec().encode(data);
  }

  @Override
  public byte[] serialize(String topic, Headers headers, T data) {
    if (data == null) {
      return null;
    }
    if (delegate != null) {
      return delegate.serialize(topic, headers, data);
    }
    return codec().encode(data);
  }

  @Override
  public void close() {
    if (delegate != null) {
      delegate.close();
    }
  }

  private EventCodec<T> codec() {
    if (codec == null) {
      throw SerdeConfig.notConfigured();
    }
    return codec;
  }
}
