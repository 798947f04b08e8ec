package dev.runnerguard.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runnerguard.schemas.avro.Correlation;
import dev.runnerguard.schemas.avro.EventMetadata;
import dev.runnerguard.schemas.avro.ProducerInfo;
import dev.runnerguard.schemas.avro.TraceContext;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

/**
 * Turns a {@code workflow_job} webhook body into a {@link WorkflowJobEvent}. Tolerant: only {@code
 * action}, {@code workflow_job.id}, {@code workflow_job.labels} and {@code repository.full_name}
 * are required; every other field is taken when present and of the right type, so old and new
 * payload shapes both parse. Pure: no I/O.
 */
public final class WorkflowJobParser {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ProducerInfo producer;
  private final Clock clock;

  public WorkflowJobParser(String serviceVersion, Clock clock) {
    this.producer =
        ProducerInfo.newBuilder().setService("webhook-gateway").setVersion(serviceVersion).build();
    this.clock = clock;
  }

  /**
   * Parses the raw body.
   *
   * @throws InvalidPayloadException when the body is not a JSON object or a required field is
   *     missing or malformed
   */
  public WorkflowJobEvent parse(byte[] body, DeliveryContext delivery) {
    if (body == null || body.length == 0) {
      throw new InvalidPayloadException("body is empty");
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new InvalidPayloadException(
          "body is not valid JSON (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")");
    } catch (IOException e) {
      throw new InvalidPayloadException("body is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new InvalidPayloadException("body must be a JSON object");
    }
    String action = requiredText(root, "action", "action");
    JsonNode job = root.path("workflow_job");
    if (!job.isObject()) {
      throw new InvalidPayloadException(
          "required field 'workflow_job' is missing or not an object");
    }
    long jobId = requiredLong(job, "id", "workflow_job.id");
    JsonNode repo = root.path("repository");
    String repositoryFullName = requiredText(repo, "full_name", "repository.full_name");
    List<String> labels = requiredLabels(job);

    Long runId = optionalLong(job, "run_id");
    Long installationId = optionalLong(root.path("installation"), "id");
    String organization = optionalText(root.path("organization"), "login");
    if (organization == null) {
      organization = optionalText(repo.path("owner"), "login");
    }
    Long runAttempt = optionalLong(job, "run_attempt");

    Correlation correlation =
        Correlation.newBuilder()
            .setDeliveryId(delivery.deliveryId())
            .setJobId(jobId)
            .setRunId(runId)
            .build();
    EventMetadata metadata =
        EventMetadata.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setTime(clock.instant())
            .setProducer(producer)
            .setTrace(
                TraceContext.newBuilder()
                    .setTraceparent(delivery.traceparent())
                    .setTracestate(delivery.tracestate())
                    .build())
            .setCorrelation(correlation)
            .build();

    return WorkflowJobEvent.newBuilder()
        .setMetadata(metadata)
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
        .setRawBodyGzip(ByteBuffer.wrap(gzip(body)))
        .build();
  }

  private static String requiredText(JsonNode node, String field, String path) {
    JsonNode value = node.path(field);
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new InvalidPayloadException(
          "required field '" + path + "' is missing or not a non-empty string");
    }
    return value.asText();
  }

  private static long requiredLong(JsonNode node, String field, String path) {
    JsonNode value = node.path(field);
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() <= 0) {
      throw new InvalidPayloadException(
          "required field '" + path + "' is missing or not a positive integer");
    }
    return value.asLong();
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

  private static String optionalText(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isTextual() ? value.asText() : null;
  }

  private static Long optionalLong(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isIntegralNumber() && value.canConvertToLong() ? value.asLong() : null;
  }

  private static Boolean optionalBoolean(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isBoolean() ? value.asBoolean() : null;
  }

  private static Instant optionalInstant(JsonNode node, String field) {
    String text = optionalText(node, field);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null; // tolerated: a malformed optional timestamp is dropped, not fatal
    }
  }

  static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.length / 4));
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
