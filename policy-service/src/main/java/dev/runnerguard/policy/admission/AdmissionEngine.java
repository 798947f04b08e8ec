package dev.runnerguard.policy.admission;

import dev.runnerguard.policy.admission.Rule.Action;
import dev.runnerguard.policy.admission.Rule.LabelMatch;
import dev.runnerguard.policy.admission.Rule.Runner;
import dev.runnerguard.policy.admission.Rule.Scope;
import dev.runnerguard.schemas.avro.Decision;
import dev.runnerguard.schemas.avro.RunnerSpec;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Pure admission logic: a policy set and a job in, a {@link Verdict} out. No I/O, no clock.
 *
 * <p>Steps: (1) the organisation/repository allowlist; (2) the rules that match the job (labels,
 * visibility, organisation, repository), the most specific winning: exact label match before
 * subset, a rule naming repositories before one naming organisations before one naming neither,
 * fewer labels beyond the job's, then declaration order; (3) no match denies (public repositories
 * with their own reason); (4) a deny rule denies; (5) an admit rule admits to its runner class, or
 * for a job from a fork to its fork runner class (denied when it has none). An audit-mode rule that
 * wins is reported in the reason and evaluation goes on without it, so what is enforced is what the
 * non-audit rules decide.
 */
public final class AdmissionEngine {

  /** Decides one job. */
  public Verdict decide(PolicySet set, WorkflowJobEvent job) {
    return decide(set, JobFacts.of(job));
  }

  /** Decides one job from its facts. */
  public Verdict decide(PolicySet set, JobFacts job) {
    if (!allowlisted(set.allowlist(), job)) {
      return deny(
          Verdict.ALLOWLIST,
          "organization "
              + job.organization()
              + " is not in the organization allowlist and repository "
              + job.repository()
              + " is not in the repository allowlist",
          List.of());
    }
    return decideByRules(set, job);
  }

  private static Verdict decideByRules(PolicySet set, JobFacts job) {
    List<Rule> candidates = new ArrayList<>(set.rules());
    List<String> auditNotes = new ArrayList<>();
    while (true) {
      Optional<Rule> winner = bestMatch(candidates, job);
      if (winner.isEmpty()) {
        Verdict none = noRuleMatched(job, List.of());
        return auditNotes.isEmpty() ? none : withAudit(none, auditNotes);
      }
      Rule rule = winner.get();
      Verdict outcome = apply(rule, job, List.of());
      if (!rule.audit()) {
        return auditNotes.isEmpty() ? outcome : withAudit(outcome, auditNotes);
      }
      auditNotes.add(
          "audit-mode rule "
              + rule.id()
              + " would have "
              + (outcome.decision() == Decision.ADMIT ? "admitted" : "denied")
              + " the job: "
              + outcome.reason());
      candidates.remove(rule);
    }
  }

  static boolean allowlisted(PolicySet.Allowlist allow, JobFacts job) {
    return Patterns.anyMatches(allow.organizations(), job.organization())
        || Patterns.anyMatches(allow.repositories(), job.repository());
  }

  /** The most specific rule matching the job, if any. */
  static Optional<Rule> bestMatch(List<Rule> rules, JobFacts job) {
    List<Rule> matching = rules.stream().filter(r -> matches(r, job)).toList();
    Comparator<Rule> mostSpecific =
        Comparator.<Rule>comparingInt(r -> r.match().labelMatch() == LabelMatch.EXACT ? 0 : 1)
            .thenComparingInt(r -> -r.match().scopeSpecificity())
            .thenComparingInt(r -> r.match().labels().size() - job.labels().size())
            .thenComparingInt(rules::indexOf);
    return matching.stream().min(mostSpecific);
  }

  /** Whether a rule applies to a job. */
  static boolean matches(Rule rule, JobFacts job) {
    Rule.Match m = rule.match();
    boolean visibility = (m.visibility() == Rule.Visibility.PUBLIC) == job.isPublic();
    boolean labels =
        switch (m.labelMatch()) {
          case EXACT -> m.labels().equals(job.labels());
          case SUBSET -> !job.labels().isEmpty() && m.labels().containsAll(job.labels());
        };
    boolean org =
        m.organizations().isEmpty() || Patterns.anyMatches(m.organizations(), job.organization());
    boolean repo =
        m.repositories().isEmpty() || Patterns.anyMatches(m.repositories(), job.repository());
    return visibility && labels && org && repo;
  }

  private static Verdict noRuleMatched(JobFacts job, List<String> auditNotes) {
    String reason =
        job.isPublic()
            ? "repository "
                + job.repository()
                + " is public and no rule allows public repositories with labels "
                + job.labels()
            : "no rule admits jobs with labels "
                + job.labels()
                + " from repository "
                + job.repository();
    return deny(Verdict.DEFAULT_DENY, reason, auditNotes);
  }

  private static Verdict apply(Rule rule, JobFacts job, List<String> auditNotes) {
    if (rule.action() == Action.DENY) {
      String why =
          rule.denyReason().isBlank()
              ? "rule "
                  + rule.id()
                  + " denies jobs with labels "
                  + job.labels()
                  + " from repository "
                  + job.repository()
              : rule.denyReason()
                  + " (rule "
                  + rule.id()
                  + ", repository "
                  + job.repository()
                  + ")";
      return deny(rule.id(), why, auditNotes);
    }
    Optional<Runner> runner = job.fork() ? rule.forkRunner() : rule.runner();
    if (runner.isEmpty()) {
      return deny(
          rule.id(),
          "repository "
              + job.repository()
              + " is a fork and rule "
              + rule.id()
              + " defines no stronger isolation for forks",
          auditNotes);
    }
    RunnerSpec spec = spec(rule, runner.get());
    String reason =
        "rule "
            + rule.id()
            + " admits jobs with labels "
            + job.labels()
            + " from "
            + (job.isPublic() ? "public " : "private ")
            + (job.fork() ? "fork " : "")
            + "repository "
            + job.repository()
            + " to runner class "
            + spec.getRunnerClass()
            + " ("
            + spec.getProvider()
            + ", "
            + spec.getIsolation()
            + ", group "
            + spec.getRunnerGroup()
            + ")"
            + limits(runner.get(), job);
    return new Verdict(Decision.ADMIT, rule.id(), reason, false, Optional.of(spec));
  }

  /**
   * The concurrency limit as a machine-readable suffix of the reason ({@code [max-concurrent=5
   * scope=repository key=acme/site]}); AdmissionDecision has no field for it yet.
   */
  static String limits(Runner runner, JobFacts job) {
    if (runner.maxConcurrent().isEmpty()) {
      return "";
    }
    String key = runner.scope() == Scope.REPOSITORY ? job.repository() : job.organization();
    return " [max-concurrent="
        + runner.maxConcurrent().get()
        + " scope="
        + runner.scope().name().toLowerCase(java.util.Locale.ROOT)
        + " key="
        + key
        + "]";
  }

  /** The runner spec of a rule's runner template, with its deterministic class name. */
  public static RunnerSpec spec(Rule rule, Runner runner) {
    RunnerSpec spec =
        RunnerSpec.newBuilder()
            .setRunnerClass("")
            .setRunnerGroup(runner.runnerGroup())
            .setLabels(new ArrayList<>(rule.match().labels()))
            .setProvider(runner.provider())
            .setIsolation(runner.isolation())
            .setImage(runner.image().orElse(null))
            .setEgressAllowlist(runner.egress().stream().sorted().distinct().toList())
            .setMaxDurationSeconds(runner.maxDurationSeconds())
            .setCpuMillis(runner.cpuMillis().orElse(null))
            .setMemoryMb(runner.memoryMb().orElse(null))
            .build();
    return RunnerClasses.withClass(spec);
  }

  private static Verdict deny(String ruleId, String reason, List<String> auditNotes) {
    return new Verdict(Decision.DENY, ruleId, reason, false, Optional.empty());
  }

  private static Verdict withAudit(Verdict enforced, List<String> notes) {
    return new Verdict(
        enforced.decision(),
        enforced.ruleId(),
        enforced.reason() + "; " + String.join("; ", notes),
        true,
        enforced.spec());
  }
}
