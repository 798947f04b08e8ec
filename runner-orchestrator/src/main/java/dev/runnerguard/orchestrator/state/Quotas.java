package dev.runnerguard.orchestrator.state;

import dev.runnerguard.schemas.avro.AdmissionDecision;
import java.util.Map;
import java.util.TreeSet;

/**
 * Runner quotas: at most {@code maxRunners} live runners in all, {@code maxPerOrg} per organisation
 * and {@code maxPerLabelSet} per label set (0 = unlimited). Jobs beyond a quota wait, in admission
 * order, until a runner ends; none is dropped.
 */
public record Quotas(int maxRunners, int maxPerOrg, int maxPerLabelSet) {

  public static final Quotas UNLIMITED = new Quotas(0, 0, 0);

  public boolean unlimited() {
    return maxRunners <= 0 && maxPerOrg <= 0 && maxPerLabelSet <= 0;
  }

  /** Whether one more runner for this admission fits, given the live counts. */
  public boolean fits(
      AdmissionDecision d, int live, Map<String, Integer> perOrg, Map<String, Integer> perLabels) {
    if (maxRunners > 0 && live >= maxRunners) {
      return false;
    }
    if (maxPerOrg > 0 && perOrg.getOrDefault(org(d), 0) >= maxPerOrg) {
      return false;
    }
    return maxPerLabelSet <= 0 || perLabels.getOrDefault(labelSet(d), 0) < maxPerLabelSet;
  }

  /** The organisation an admission counts against. */
  public static String org(AdmissionDecision d) {
    if (d.getOrganization() != null) {
      return d.getOrganization();
    }
    String repo = d.getRepositoryFullName();
    int slash = repo.indexOf('/');
    return slash > 0 ? repo.substring(0, slash) : repo;
  }

  /** The label set an admission counts against: its runner labels, sorted. */
  public static String labelSet(AdmissionDecision d) {
    return String.join(",", new TreeSet<>(d.getRunnerSpec().getLabels()));
  }
}
