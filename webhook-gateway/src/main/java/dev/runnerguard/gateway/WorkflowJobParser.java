package dev.runnerguard.gateway;

import static dev.runnerguard.gateway.JsonFields.optionalBoolean;
import static dev.runnerguard.gateway.JsonFields.optionalId;
import static dev.runnerguard.gateway.JsonFields.optionalInstant;
import static dev.runnerguard.gateway.JsonFields.optionalLong;
import static dev.runnerguard.gateway.JsonFields.optionalText;
import static dev.runnerguard.gateway.JsonFields.requiredId;
import static dev.runnerguard.gateway.JsonFields.requiredText;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runnerguard.schemas.RawBodies;
import dev.runnerguard.schemas.avro.EventMetadata;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@code workflow_job} webhook body into a {@link WorkflowJobEvent}. Tolerant: only {@code
 * action}, {@code workflow_job.id}, {@code workflow_job.labels} and {@code repository.full_name}
 * are required; every other field is taken when present and of the right type, so old and new
 * payload shapes both parse. Pure: no I/O.
 */
public final class WorkflowJobParser {
  /** The fields read; the rest of the body (steps, URLs, ...) is only tokenized. */
  private static final JsonSelection FIELDS =
      JsonSelection.of(
          "action",
          JsonSelection.object(
              "workflow_job",
              "id",
              "labels",
              "run_id",
              "run_attempt",
              "status",
              "conclusion",
              "runner_id",
              "runner_name",
              "runner_group_id",
              "runner_group_name",
              "workflow_name",
              "name",
              "head_branch",
              "head_sha",
              "created_at",
              "started_at",
              "completed_at"),
          JsonSelection.object(
              "repository", "full_name", "private", "fork", JsonSelection.object("owner", "login")),
          JsonSelection.object("installation", "id"),
          JsonSelection.object("organization", "login"));

  private final EventMetadataFactory metadata;

  public WorkflowJobParser(EventMetadataFactory metadata) {
    this.metadata = metadata;
  }

  /**
   * Parses the raw body.
   *
   * @throws InvalidPayloadException when the body is not a JSON object or a required field is
   *     missing or malformed
   */
  public WorkflowJobEvent parse(byte[] body, DeliveryContext delivery) {
    JsonNode root = JsonFields.object(body, FIELDS);
    String action = requiredText(root, "action", "action");
    JsonNode job = root.path("workflow_job");
    if (!job.isObject()) {
      throw new InvalidPayloadException(
          "required field 'workflow_job' is missing or not an object");
    }
    long jobId = requiredId(job, "id", "workflow_job.id");
    JsonNode repo = root.path("repository");
    String repositoryFullName = requiredText(repo, "full_name", "repository.full_name");
    List<String> labels = requiredLabels(job);

    Long runId = optionalLong(job, "run_id");
    Long installationId = optionalId(root.path("installation"), "id");
    String organization = JsonFields.organization(root);
    Long runAttempt = optionalLong(job, "run_attempt");

    EventMetadata eventMetadata =
        metadata.create(
            EventMetadataFactory.trace(delivery.traceparent(), delivery.tracestate()),
            EventMetadataFactory.correlation(delivery.deliveryId(), jobId, runId, null));

    return WorkflowJobEvent.newBuilder()
        .setMetadata(eventMetadata)
        .setAction(action)
        .setJobId(jobId)
        .setRunId(runId)
        .setRunAttempt(runAttempt == null ? 1 : (int) Math.max(1, Math.min(runAttempt, 1 << 20)))
        .setRepositoryFullName(repositoryFullName)
        .setRepositoryPrivate(optionalBoolean(repo, "private"))
        .setRepositoryFork(optionalBoolean(repo, "fork"))
        .setOrganization(organization)
        .setInstallationId(installationId)
        .setLabels(labels)
        .setStatus(optionalText(job, "status"))
        .setConclusion(optionalText(job, "conclusion"))
        .setRunnerId(optionalLong(job, "runner_id"))
        .setRunnerName(optionalText(job, "runner_name"))
        .setRunnerGroupId(optionalLong(job, "runner_group_id"))
        .setRunnerGroupName(optionalText(job, "runner_group_name"))
        .setWorkflowName(optionalText(job, "workflow_name"))
        .setJobName(optionalText(job, "name"))
        .setHeadBranch(optionalText(job, "head_branch"))
        .setHeadSha(optionalText(job, "head_sha"))
        .setCreatedAt(optionalInstant(job, "created_at"))
        .setStartedAt(optionalInstant(job, "started_at"))
        .setCompletedAt(optionalInstant(job, "completed_at"))
        .setRawBody(ByteBuffer.wrap(RawBodies.lz4Frame(body)))
        .setRawBodyEncoding(RawBodies.LZ4_FRAME)
        .build();
  }

  private static List<String> requiredLabels(JsonNode job) {
    JsonNode value = job.path("labels");
    if (!value.isArray()) {
      throw new InvalidPayloadException(
          "required field 'workflow_job.labels' is missing or not an array");
    }
    List<String> labels = new ArrayList<>(value.size());
    for (JsonNode label : value) {
      if (!label.isTextual()) {
        throw new InvalidPayloadException("field 'workflow_job.labels' must hold only strings");
      }
      labels.add(label.asText());
    }
    return labels;
  }
}
