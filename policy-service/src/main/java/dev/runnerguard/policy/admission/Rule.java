package dev.runnerguard.policy.admission;

import dev.runnerguard.schemas.avro.Isolation;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;

/**
 * One admission rule of a policy set.
 *
 * @param id unique id across the policy set
 * @param file the file it was declared in
 * @param line the line of its declaration (1-based)
 * @param description free text
 * @param audit true: the rule's outcome is reported, not enforced
 * @param action admit or deny
 * @param denyReason for {@code deny}: the human reason (may be empty)
 * @param match what jobs the rule applies to
 * @param runner for {@code admit}: the runner class a matching job gets
 * @param forkRunner for {@code admit}: the stronger runner class of jobs from forks; empty means
 *     jobs from forks are denied by this rule
 */
public record Rule(
    String id,
    String file,
    int line,
    String description,
    boolean audit,
    Action action,
    String denyReason,
    Match match,
    Optional<Runner> runner,
    Optional<Runner> forkRunner) {

  /** What a rule does with a job it matches. */
  public enum Action {
    ADMIT,
    DENY
  }

  /** How a rule's labels are compared with the job's labels. */
  public enum LabelMatch {
    /** The job asks for exactly the rule's labels. */
    EXACT,
    /**
     * The job's labels are a subset of the rule's labels: a runner with the rule's labels can take
     * the job (GitHub's own routing rule).
     */
    SUBSET
  }

  /** Repository visibility a rule applies to. Unknown visibility counts as public. */
  public enum Visibility {
    PRIVATE,
    PUBLIC
  }

  /** Scope of a concurrency limit. */
  public enum Scope {
    REPOSITORY,
    ORGANIZATION
  }

  /**
   * @param labels lower-case label set of the runner class (at least one)
   * @param labelMatch exact or subset
   * @param visibility repositories of this visibility only
   * @param organizations organisation patterns (empty: any)
   * @param repositories repository patterns (empty: any)
   */
  public record Match(
      SortedSet<String> labels,
      LabelMatch labelMatch,
      Visibility visibility,
      List<String> organizations,
      List<String> repositories) {
    public Match {
      labels = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(labels));
      organizations = List.copyOf(organizations);
      repositories = List.copyOf(repositories);
    }

    /** How specific the scope is: 2 repositories named, 1 organisations named, 0 neither. */
    public int scopeSpecificity() {
      return !repositories.isEmpty() ? 2 : !organizations.isEmpty() ? 1 : 0;
    }
  }

  /**
   * A runner class template.
   *
   * @param maxConcurrent max concurrent runners of this rule per {@code scope}, if limited
   */
  public record Runner(
      String runnerGroup,
      String provider,
      Isolation isolation,
      Optional<String> image,
      List<String> egress,
      long maxDurationSeconds,
      Optional<Integer> cpuMillis,
      Optional<Integer> memoryMb,
      Optional<Integer> maxConcurrent,
      Scope scope) {
    public Runner {
      egress = List.copyOf(egress);
    }
  }
}
