package dev.runnerguard.schemas.serde;

import java.io.Closeable;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.avro.specific.SpecificRecord;

/**
 * What the RunnerGuard serializer and deserializer share: the record class, the mode, and either
 * the registry-free codec or the Apicurio delegate.
 *
 * @param <T> the generated record class
 * @param <D> the Apicurio delegate type (a Kafka serializer or deserializer)
 */
final class SerdeSetup<T extends SpecificRecord, D extends Closeable> {
  private Class<T> type;
  private SerdeMode mode = SerdeMode.SINGLE_OBJECT;
  private EventCodec<T> codec;
  private D delegate;

  SerdeSetup(Class<T> type) {
    this.type = type;
    this.codec = type == null ? null : EventCodec.of(type);
  }

  /** Applies Kafka client configuration; {@code apicurio} creates the delegate in registry mode. */
  void configure(
      Map<String, ?> configs, boolean isKey, BiFunction<Map<String, ?>, Boolean, D> apicurio) {
    mode = SerdeConfig.mode(configs);
    if (mode == SerdeMode.APICURIO) {
      try {
        delegate = apicurio.apply(configs, isKey);
      } catch (LinkageError e) {
        throw SerdeConfig.apicurioMissing(e);
      }
      codec = null;
    } else {
      type = SerdeConfig.recordType(configs, type);
      codec = EventCodec.of(type);
    }
  }

  SerdeMode mode() {
    return mode;
  }

  /** The Apicurio delegate, or null in registry-free mode. */
  D delegate() {
    return delegate;
  }

  /** The registry-free codec; fails when neither constructed with a type nor configured. */
  EventCodec<T> codec() {
    if (codec == null) {
      throw SerdeConfig.notConfigured();
    }
    return codec;
  }

  void close() {
    if (delegate != null) {
      try {
        delegate.close();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }
}
