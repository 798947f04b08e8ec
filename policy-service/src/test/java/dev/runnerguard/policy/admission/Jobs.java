package dev.runnerguard.policy.admission;

import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.nio.ByteBuffer;
import java.util.List;

/** Test jobs. */
final class Jobs {
  private Jobs() {}

  static WorkflowJobEvent job(String repo, boolean isPrivate, boolean fork, String... labels) {
    return job(7L, 1, "queued", repo, isPrivate, fork, labels);
  }

  static WorkflowJobEvent job(
      long id,
      int attempt,
      String action,
      String repo,
      boolean isPrivate,
      boolean fork,
      String... labels) {
    return WorkflowJobEvent.newBuilder()
        .setMetadata(
            new EventMetadataFactory("test", "1")
                .create(EventMetadataFactory.correlation("d-1", id, 99L, null)))
        .setAction(action)
        .setJobId(id)
        .setRunId(99L)
        .setRunAttempt(attempt)
        .setRepositoryFullName(repo)
        .setRepositoryPrivate(isPrivate)
        .setRepositoryFork(fork)
        .setOrganization(repo.substring(0, repo.indexOf('/')))
        .setLabels(List.of(labels))
        .setRawBody(ByteBuffer.allocate(0))
        .build();
  }
}
