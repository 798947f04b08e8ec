package dev.runnerguard.policy.detection.rules;

import dev.runnerguard.schemas.avro.Severity;
import java.util.List;
import java.util.Map;

/**
 * The effective settings of one detection rule: its catalogue defaults overridden by the policy
 * directory's {@code DetectionPolicy} file.
 *
 * @param id rule id (see {@link RuleCatalog})
 * @param enabled false: the rule never fires
 * @param audit true: findings carry {@code auditMode=true} and no command is issued
 * @param response quarantine or alert
 * @param severity severity of its findings
 * @param ints integer parameters by name (threshold, windowSeconds, ...)
 * @param lists list parameters by name (iocs, falcoRules, paths, ...), as strings
 * @param source where the settings came from ({@code file:line} or {@code built-in})
 */
public record RuleSettings(
    String id,
    boolean enabled,
    boolean audit,
    Response response,
    Severity severity,
    Map<String, Integer> ints,
    Map<String, List<String>> lists,
    String source) {

  public RuleSettings {
    ints = Map.copyOf(ints);
    lists = Map.copyOf(lists);
  }

  /** An integer parameter (every parameter a rule uses has a catalogue default). */
  public int integer(String name) {
    Integer v = ints.get(name);
    if (v == null) {
      throw new IllegalStateException("rule " + id + " has no parameter " + name);
    }
    return v;
  }

  /** A list parameter, empty when not set. */
  public List<String> list(String name) {
    return lists.getOrDefault(name, List.of());
  }
}
