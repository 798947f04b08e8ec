package dev.runnerguard.audit.ocsf;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * @param ocsf the OCSF event
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
    ObjectNode ocsf) {}
