package dev.runnerguard.policy.load;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A policy directory that cannot become a policy set (a permanent error: retrying the same content
 * fails the same way). Lists every problem found, each with file and line.
 */
public final class PolicyLoadException extends Exception {
  private final transient List<PolicyProblem> problems;

  public PolicyLoadException(List<PolicyProblem> problems) {
    super(
        problems.size()
            + " problem(s) in the policy files:\n"
            + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  /** Every problem, in file order. */
  public List<PolicyProblem> problems() {
    return problems;
  }
}
