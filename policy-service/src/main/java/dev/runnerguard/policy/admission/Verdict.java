package dev.runnerguard.policy.admission;

import dev.runnerguard.schemas.avro.Decision;
import dev.runnerguard.schemas.avro.RunnerSpec;
import java.util.Optional;

/**
 * The outcome of admission for one job, before it becomes an event.
 *
 * @param decision admit or deny (what is enforced)
 * @param ruleId the rule that decided ({@code allowlist} and {@code default-deny} for the built-in
 *     checks)
 * @param reason human-readable why, including what audit-mode rules would have done
 * @param auditMode true when an audit-mode rule matched: its outcome is reported in {@code reason},
 *     not enforced
 * @param spec the runner class, when admitted
 */
public record Verdict(
    Decision decision, String ruleId, String reason, boolean auditMode, Optional<RunnerSpec> spec) {

  /** Built-in rule id of the organisation/repository allowlist. */
  public static final String ALLOWLIST = "allowlist";

  /** Built-in rule id when no rule matched. */
  public static final String DEFAULT_DENY = "default-deny";
}
