package dev.runnerguard.audit.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** One row of the chain as the API and the sinks see it. */
public record StoredEvent(
    long seq,
    String eventId,
    String topic,
    int classUid,
    int severityId,
    Instant occurredAt,
    boolean deadLettered,
    JsonNode ocsf) {}
