package dev.runnerguard.orchestrator.stream;

import dev.runnerguard.schemas.serde.EventCodec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka Streams serdes over the platform's registry-free Avro {@link EventCodec}. */
public final class AvroSerdes {
  private AvroSerdes() {}

  /** A serde for one record type; undecodable bytes raise {@code UndecodableRecordException}. */
  public static <T extends SpecificRecord> Serde<T> of(Class<T> type) {
    EventCodec<T> codec = EventCodec.of(type);
    Serializer<T> serializer = (topic, value) -> value == null ? null : codec.encode(value);
    Deserializer<T> deserializer =
        (topic, bytes) -> bytes == null ? null : codec.decode(topic, -1, -1, bytes);
    return Serdes.serdeFrom(serializer, deserializer);
  }

  /** A serializer for sinks that carry one type each but are written by a shared processor. */
  public static Serializer<SpecificRecord> anyRecord() {
    return new Serializer<>() {
      @Override
      @SuppressWarnings({"unchecked", "rawtypes"})
      public byte[] serialize(String topic, SpecificRecord value) {
        if (value == null) {
          return null;
        }
        EventCodec codec = EventCodec.of(value.getClass());
        return codec.encode(value);
      }
    };
  }
}
