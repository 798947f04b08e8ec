package dev.runnerguard.audit.ocsf;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.audit.chain.CanonicalJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * One OCSF event ready to be chained and stored, with the columns the store indexes.
 *
 * @param eventId the platform event id (the dedupe key)
 * @param position where the source record sat in Kafka
 * @param occurredAt the OCSF {@code time}
 * @param classUid the OCSF class
 * @param severityId the OCSF severity
 * @param runnerId RunnerGuard runner id, or null
 * @param jobId GitHub job id, or null
 * @param deadLettered true for a record stored from a dead-letter topic without decoding
 * @param canonical the OCSF event as canonical JSON ({@link CanonicalJson}; what the chain hashes
 *     and the store keeps), or null once the store has taken it over
 */
public record NormalisedEvent(
    String eventId,
    SourcePosition position,
    Instant occurredAt,
    int classUid,
    int severityId,
    String runnerId,
    Long jobId,
    boolean deadLettered,
    byte[] canonical) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  /** An event given as a Jackson tree (tests): its canonical bytes are written from the tree. */
  public NormalisedEvent(
      String eventId,
      SourcePosition position,
      Instant occurredAt,
      int classUid,
      int severityId,
      String runnerId,
      Long jobId,
      boolean deadLettered,
      ObjectNode ocsf) {
    this(
        eventId,
        position,
        occurredAt,
        classUid,
        severityId,
        runnerId,
        jobId,
        deadLettered,
        ocsf == null ? (byte[]) null : CanonicalJson.bytes(ocsf));
  }

  /** The same event with other canonical bytes (null: the bytes are not held). */
  public NormalisedEvent withCanonical(byte[] otherCanonical) {
    return new NormalisedEvent(
        eventId,
        position,
        occurredAt,
        classUid,
        severityId,
        runnerId,
        jobId,
        deadLettered,
        otherCanonical);
  }

  /**
   * The OCSF event read back from its canonical bytes (a new tree each call; for tests and
   * diagnostics, not for the ingest path), or null when the bytes are no longer held.
   */
  public ObjectNode ocsf() {
    if (canonical == null) {
      return null;
    }
    try {
      return (ObjectNode) JSON.readTree(canonical);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
