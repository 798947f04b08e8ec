package dev.runnerguard.schemas.serde;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;

/** Configuration keys of the RunnerGuard Kafka serdes and how they are read. */
public final class SerdeConfig {

  /** Fully qualified name of the generated record class the serde handles. */
  public static final String TYPE = "runnerguard.avro.type";

  /** When set (non-blank), the serdes delegate to Apicurio Registry's Avro serde. */
  public static final String APICURIO_REGISTRY_URL = "apicurio.registry.url";

  private SerdeConfig() {}

  /** The serde mode a configuration selects. */
  public static SerdeMode mode(Map<String, ?> configs) {
    Object url = configs == null ? null : configs.get(APICURIO_REGISTRY_URL);
    return url != null && !url.toString().isBlank() ? SerdeMode.APICURIO : SerdeMode.SINGLE_OBJECT;
  }

  /** The record class named by {@link #TYPE}, or {@code fallback} when it is already known. */
  @SuppressWarnings("unchecked")
  static <T extends SpecificRecord> Class<T> recordType(Map<String, ?> configs, Class<T> fallback) {
    if (fallback != null) {
      return fallback;
    }
    Object value = configs == null ? null : configs.get(TYPE);
    if (value instanceof Class<?> c) {
      return checked(c);
    }
    if (value == null || value.toString().isBlank()) {
      throw new ConfigException(TYPE, value, "the generated Avro record class is required");
    }
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      if (loader == null) {
        loader = SerdeConfig.class.getClassLoader();
      }
      return checked(Class.forName(value.toString().trim(), true, loader));
    } catch (ClassNotFoundException e) {
      throw new ConfigException(TYPE, value, "class not found");
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends SpecificRecord> Class<T> checked(Class<?> c) {
    if (!SpecificRecord.class.isAssignableFrom(c)) {
      throw new ConfigException(TYPE, c.getName(), "not a generated Avro SpecificRecord class");
    }
    return (Class<T>) c;
  }

  static ConfigException apicurioMissing(LinkageError e) {
    return new ConfigException(
        APICURIO_REGISTRY_URL
            + " is set but io.apicurio:apicurio-registry-avro-serde-kafka is not on the classpath ("
            + e.getMessage()
            + ")");
  }

  static SerializationException notConfigured() {
    return new SerializationException("RunnerGuard Avro serde used before configure()");
  }
}
