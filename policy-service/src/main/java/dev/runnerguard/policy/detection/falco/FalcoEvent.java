package dev.runnerguard.policy.detection.falco;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One falcosidekick event, validated.
 *
 * @param uuid falcosidekick's event id (dedupe key)
 * @param time when Falco saw it
 * @param rule the Falco rule that fired
 * @param priority Falco priority (Emergency .. Debug), as sent
 * @param output the formatted output line
 * @param fields output_fields, values as strings (numbers and booleans converted, nulls dropped)
 * @param tags rule tags
 * @param hostname the Falco host, may be null
 * @param source Falco event source (syscall, k8s_audit, ...), may be null
 */
public record FalcoEvent(
    String uuid,
    Instant time,
    String rule,
    String priority,
    String output,
    Map<String, String> fields,
    List<String> tags,
    String hostname,
    String source) {

  public FalcoEvent {
    fields = Map.copyOf(fields);
    tags = List.copyOf(tags);
  }
}
