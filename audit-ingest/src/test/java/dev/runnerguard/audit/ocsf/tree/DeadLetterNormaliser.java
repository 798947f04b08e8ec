package dev.runnerguard.audit.ocsf.tree;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.audit.ocsf.NormalisedEvent;
import dev.runnerguard.audit.ocsf.SourcePosition;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

/**
 * THE REFERENCE (test only): the tree-building normaliser as it was before the normalisers wrote
 * canonical bytes directly; kept unchanged to check the new path against
 * (NormalisersEquivalenceTest).
 *
 * <p>A record read from a dead-letter topic ({@code <topic>.dlt.<channel>}) → OCSF Base Event
 * (class 0, activity Other), flagged {@code unmapped.runnerguard.dead_lettered = true}, the value
 * never decoded: {@code raw_data} holds it base64-encoded.
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
    ObjectNode o = Ocsf.base(Ocsf.BASE_EVENT, Ocsf.OTHER, "Other", Ocsf.SEVERITY_LOW, timestamp);
    o.put("message", "dead-lettered record from " + origin);
    o.put("raw_data", value == null ? "" : Base64.getEncoder().encodeToString(value));
    o.set("metadata", Ocsf.metadata(eventId, null, "dead-letter"));
    ((ObjectNode) o.get("metadata")).put("log_name", dlt.topic());
    ObjectNode rg = Ocsf.runnerguard(o, dlt);
    rg.put("event_id", eventId);
    rg.put("dead_lettered", true);
    ObjectNode d = rg.putObject("dead_letter");
    d.put("origin", origin);
    Ocsf.putIfNotNull(d, "key", key);
    Ocsf.putIfNotNull(d, "reason", headers.get(HEADER_REASON));
    Ocsf.putIfNotNull(d, "original_topic", headers.get(HEADER_TOPIC));
    return new NormalisedEvent(
        eventId,
        dlt,
        timestamp,
        Ocsf.BASE_EVENT.classUid(),
        Ocsf.SEVERITY_LOW,
        null,
        null,
        true,
        o);
  }
}
