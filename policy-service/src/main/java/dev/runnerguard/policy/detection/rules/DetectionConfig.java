package dev.runnerguard.policy.detection.rules;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The detection part of a policy set: platform conventions and the effective settings of every rule
 * of the {@link RuleCatalog}. Immutable; replaced whole with its policy set on reload.
 *
 * @param runnerNamePrefix prefix of platform runner names ({@code rg-<jobId>-<runAttempt>})
 * @param platformLabels lower-case labels that mark a job as meant for platform runners (all)
 * @param falcoRunnerIdFields Falco output fields holding a runner id, tried first
 * @param falcoPodNameFields Falco output fields holding a pod name equal to the runner id
 * @param rules settings by rule id, one per catalogue rule, in catalogue order
 * @param source the file the settings came from, or {@code built-in}
 */
public record DetectionConfig(
    String runnerNamePrefix,
    List<String> platformLabels,
    List<String> falcoRunnerIdFields,
    List<String> falcoPodNameFields,
    Map<String, RuleSettings> rules,
    String source) {

  public static final String DEFAULT_PREFIX = "rg-";
  public static final List<String> DEFAULT_PLATFORM_LABELS = List.of("self-hosted");
  public static final List<String> DEFAULT_RUNNER_ID_FIELDS = List.of("runnerguard.runner_id");
  public static final List<String> DEFAULT_POD_NAME_FIELDS = List.of("k8s.pod.name");

  public DetectionConfig {
    platformLabels = platformLabels.stream().map(l -> l.toLowerCase(Locale.ROOT)).toList();
    falcoRunnerIdFields = List.copyOf(falcoRunnerIdFields);
    falcoPodNameFields = List.copyOf(falcoPodNameFields);
    rules = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rules));
  }

  /** Every rule with its catalogue defaults, the conventions above: used without a file. */
  public static DetectionConfig defaults() {
    Map<String, RuleSettings> rules = new LinkedHashMap<>();
    for (RuleCatalog.Def d : RuleCatalog.all()) {
      rules.put(d.id(), d.defaults());
    }
    return new DetectionConfig(
        DEFAULT_PREFIX,
        DEFAULT_PLATFORM_LABELS,
        DEFAULT_RUNNER_ID_FIELDS,
        DEFAULT_POD_NAME_FIELDS,
        rules,
        "built-in");
  }

  /** The settings of an enabled rule, empty when it is disabled. */
  public Optional<RuleSettings> enabled(String ruleId) {
    RuleSettings s = rules.get(ruleId);
    return s != null && s.enabled() ? Optional.of(s) : Optional.empty();
  }

  /** The settings of a rule (enabled or not). */
  public RuleSettings rule(String ruleId) {
    RuleSettings s = rules.get(ruleId);
    if (s == null) {
      throw new IllegalArgumentException("unknown detection rule " + ruleId);
    }
    return s;
  }

  /** True when the name has the platform prefix. */
  public boolean isPlatformRunnerName(String name) {
    return name != null
        && name.startsWith(runnerNamePrefix)
        && name.length() > runnerNamePrefix.length();
  }
}
