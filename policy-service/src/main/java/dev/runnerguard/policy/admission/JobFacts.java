package dev.runnerguard.policy.admission;

import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What admission looks at in a job.
 *
 * @param repository {@code owner/name}
 * @param organization the organisation, or the repository owner when GitHub names none
 * @param isPublic true unless GitHub says the repository is private (unknown counts as public)
 * @param fork true when the repository is a fork
 * @param labels the job's labels, lower-case (GitHub compares labels case-insensitively)
 */
public record JobFacts(
    String repository,
    String organization,
    boolean isPublic,
    boolean fork,
    SortedSet<String> labels) {

  /** The facts of a workflow job event. */
  public static JobFacts of(WorkflowJobEvent event) {
    String repo = event.getRepositoryFullName();
    String org = event.getOrganization();
    if (org == null || org.isBlank()) {
      int slash = repo.indexOf('/');
      org = slash > 0 ? repo.substring(0, slash) : repo;
    }
    SortedSet<String> labels = new TreeSet<>();
    for (String l : event.getLabels()) {
      labels.add(l.toLowerCase(Locale.ROOT));
    }
    return new JobFacts(
        repo,
        org,
        !Boolean.TRUE.equals(event.getRepositoryPrivate()),
        Boolean.TRUE.equals(event.getRepositoryFork()),
        labels);
  }
}
