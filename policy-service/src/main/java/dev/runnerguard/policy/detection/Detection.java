package dev.runnerguard.policy.detection;

import dev.runnerguard.policy.detection.rules.RuleSettings;
import java.util.List;
import java.util.Map;

/**
 * A rule that fired, before it becomes a {@code Finding} (and maybe a {@code RunnerCommand}).
 *
 * @param rule the rule's effective settings (severity, response, audit)
 * @param runnerId the runner, null when the input named none
 * @param jobId the job, if known
 * @param repository owner/name, if known
 * @param triggerId the input that made it fire (signal id, Falco uuid, webhook key): with rule id
 *     and runner id it makes the finding id, so the same input never makes two findings
 * @param signalIds every signal that led to it
 * @param evidence what was observed (redacted), copied into the finding's attributes
 * @param summary one line for the finding's description and the command's reason
 * @param quarantine true when a QUARANTINE command is to be issued (response quarantine, not audit,
 *     a runner is known and it was not quarantined already)
 */
public record Detection(
    RuleSettings rule,
    String runnerId,
    Long jobId,
    String repository,
    String triggerId,
    List<String> signalIds,
    Map<String, String> evidence,
    String summary,
    boolean quarantine) {

  public Detection {
    signalIds = List.copyOf(signalIds);
    evidence = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(evidence));
  }

  /** The deterministic finding id: {@code fnd-} + 24 hex of sha256(rule, runner, trigger). */
  public String findingId() {
    return Ids.findingId(rule.id(), runnerId, triggerId);
  }
}
