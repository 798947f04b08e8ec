package dev.runnerguard.schemas.serde;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Creates Apicurio Registry's Avro Kafka serdes. Only this class references Apicurio, so the
 * optional dependency is needed only when {@code apicurio.registry.url} is configured.
 */
final class ApicurioSerdes {

  private ApicurioSerdes() {}

  static <T> Serializer<T> serializer(Map<String, ?> configs, boolean isKey) {
    Serializer<T> serializer = new AvroKafkaSerializer<>();
    serializer.configure(configs, isKey);
    return serializer;
  }

  static <T> Deserializer<T> deserializer(Map<String, ?> configs, boolean isKey) {
    Map<String, Object> withSpecific = new HashMap<>(configs);
    withSpecific.putIfAbsent(AvroSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
    Deserializer<T> deserializer = new AvroKafkaDeserializer<>();
    deserializer.configure(withSpecific, isKey);
    return deserializer;
  }
}
