package dev.runnerguard.policy.github;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a GitHub {@code workflow_job} webhook body into the fields admission looks at (for the
 * policy test endpoint and CLI; the live path gets {@link WorkflowJobEvent}s from the gateway).
 * Pure.
 */
public final class WorkflowJobPayloads {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final EventMetadataFactory METADATA =
      new EventMetadataFactory("policy-test", "dev");

  private WorkflowJobPayloads() {}

  /**
   * Parses a body.
   *
   * @throws IllegalArgumentException naming the missing or malformed field
   */
  public static WorkflowJobEvent parse(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage());
    }
    return parse(root);
  }

  /** Parses a body already read as JSON. */
  public static WorkflowJobEvent parse(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("payload is not a JSON object");
    }
    JsonNode job = root.path("workflow_job");
    JsonNode repo = root.path("repository");
    if (!job.path("id").canConvertToLong()) {
      throw new IllegalArgumentException("'workflow_job.id' is missing or not a number");
    }
    if (!repo.path("full_name").isTextual()) {
      throw new IllegalArgumentException("'repository.full_name' is missing");
    }
    if (!job.path("labels").isArray()) {
      throw new IllegalArgumentException("'workflow_job.labels' is missing or not an array");
    }
    List<String> labels = new ArrayList<>();
    job.path("labels").forEach(l -> labels.add(l.asText()));
    long jobId = job.get("id").asLong();
    Long runId = job.path("run_id").canConvertToLong() ? job.get("run_id").asLong() : null;
    JsonNode org = root.path("organization").path("login");
    return WorkflowJobEvent.newBuilder()
        .setMetadata(METADATA.create(EventMetadataFactory.correlation(null, jobId, runId, null)))
        .setAction(root.path("action").asText("queued"))
        .setJobId(jobId)
        .setRunId(runId)
        .setRunAttempt(Math.max(1, job.path("run_attempt").asInt(1)))
        .setRepositoryFullName(repo.get("full_name").asText())
        .setRepositoryPrivate(
            repo.path("private").isBoolean() ? repo.get("private").asBoolean() : null)
        .setRepositoryFork(repo.path("fork").isBoolean() ? repo.get("fork").asBoolean() : null)
        .setOrganization(org.isTextual() ? org.asText() : null)
        .setLabels(labels)
        .setRawBody(ByteBuffer.allocate(0))
        .build();
  }
}
