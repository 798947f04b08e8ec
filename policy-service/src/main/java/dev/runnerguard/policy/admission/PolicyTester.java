package dev.runnerguard.policy.admission;

import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Evaluates sample jobs against a policy set for the {@code policy test} endpoint and CLI. Pure.
 */
public final class PolicyTester {
  private PolicyTester() {}

  /** The decision of one sample as a JSON-friendly map. */
  public static Map<String, Object> describe(String sample, PolicySet set, WorkflowJobEvent job) {
    Verdict v = new AdmissionEngine().decide(set, job);
    Map<String, Object> out = new TreeMap<>();
    out.put("sample", sample);
    out.put("jobId", job.getJobId());
    out.put("runAttempt", job.getRunAttempt());
    out.put("repository", job.getRepositoryFullName());
    out.put("action", job.getAction());
    out.put("decision", v.decision().name());
    out.put("ruleId", v.ruleId());
    out.put("reason", v.reason());
    out.put("auditMode", v.auditMode());
    out.put("policyVersion", set.version());
    v.spec()
        .ifPresent(
            s -> {
              Map<String, Object> spec = new TreeMap<>();
              spec.put("runnerClass", s.getRunnerClass());
              spec.put("runnerGroup", s.getRunnerGroup());
              spec.put("labels", new ArrayList<>(s.getLabels()));
              spec.put("provider", s.getProvider());
              spec.put("isolation", s.getIsolation().name());
              spec.put("image", s.getImage());
              spec.put("egressAllowlist", new ArrayList<>(s.getEgressAllowlist()));
              spec.put("maxDurationSeconds", s.getMaxDurationSeconds());
              spec.put("cpuMillis", s.getCpuMillis());
              spec.put("memoryMb", s.getMemoryMb());
              out.put("runnerSpec", spec);
            });
    if (!"queued".equals(job.getAction())) {
      out.put("note", "the service decides only 'queued' jobs; this one would be ignored");
    }
    return out;
  }

  /** Problems as JSON-friendly maps. */
  public static List<Map<String, Object>> problems(
      List<dev.runnerguard.policy.load.PolicyProblem> problems) {
    return problems.stream()
        .<Map<String, Object>>map(
            p -> Map.of("file", p.file(), "line", p.line(), "message", p.message()))
        .toList();
  }
}
