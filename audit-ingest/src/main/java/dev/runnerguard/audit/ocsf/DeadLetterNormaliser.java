package dev.runnerguard.audit.ocsf;

import dev.runnerguard.audit.chain.CanonicalWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

/**
 * A record read from a dead-letter topic ({@code <topic>.dlt.<channel>}) → OCSF Base Event (class
 * 0, activity Other), flagged {@code unmapped.runnerguard.dead_lettered = true}, the value never
 * decoded: {@code raw_data} holds it base64-encoded.
 *
 * <p>The event id is a name-based UUID of the original position (from SmallRye's {@code
 * dead-letter-topic/partition/offset} headers, else the dead-letter position), so a redelivered
 * dead letter is stored once.
 */
public final class DeadLetterNormaliser {

  public static final String HEADER_REASON = "dead-letter-reason";
  public static final String HEADER_TOPIC = "dead-letter-topic";
  public static final String HEADER_PARTITION = "dead-letter-partition";
  public static final String HEADER_OFFSET = "dead-letter-offset";

  private DeadLetterNormaliser() {}

  /**
   * @param headers the record's headers as UTF-8 strings (last value wins)
   * @param timestamp the record's Kafka timestamp
   */
  public static NormalisedEvent normalise(
      SourcePosition dlt,
      String key,
      byte[] value,
      Map<String, String> headers,
      Instant timestamp) {
    String origin =
        headers.containsKey(HEADER_TOPIC)
            ? headers.get(HEADER_TOPIC)
                + "-"
                + headers.getOrDefault(HEADER_PARTITION, "?")
                + "@"
                + headers.getOrDefault(HEADER_OFFSET, "?")
            : dlt.toString();
    String eventId =
        UUID.nameUUIDFromBytes(("dead-letter:" + origin).getBytes(StandardCharsets.UTF_8))
            .toString();
    CanonicalWriter w = CanonicalWriter.local();
    w.beginObject();
    Ocsf.base(w, Ocsf.BASE_EVENT, Ocsf.OTHER, "Other", Ocsf.SEVERITY_LOW, timestamp);
    w.field("message", "dead-lettered record from " + origin);
    Ocsf.metadata(w, eventId, null, "dead-letter", dlt.topic());
    w.field("raw_data", value == null ? "" : Base64.getEncoder().encodeToString(value));
    w.beginObject("unmapped");
    w.beginObject("runnerguard");
    w.beginObject("dead_letter");
    w.fieldIfNotNull("key", key);
    w.field("origin", origin);
    w.fieldIfNotNull("original_topic", headers.get(HEADER_TOPIC));
    w.fieldIfNotNull("reason", headers.get(HEADER_REASON));
    w.endObject();
    w.field("dead_lettered", true);
    w.field("event_id", eventId);
    Ocsf.position(w, dlt);
    w.endObject();
    w.endObject();
    w.endObject();
    return new NormalisedEvent(
        eventId,
        dlt,
        timestamp,
        Ocsf.BASE_EVENT.classUid(),
        Ocsf.SEVERITY_LOW,
        null,
        null,
        true,
        w.toByteArray());
  }
}
