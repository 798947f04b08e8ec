package dev.runnerguard.orchestrator.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runnerguard.orchestrator.runtime.OrchestratorRuntime;
import dev.runnerguard.schemas.avro.CommandType;
import dev.runnerguard.schemas.avro.RunnerCommand;
import dev.runnerguard.schemas.avro.RunnerRecord;
import dev.runnerguard.schemas.avro.RunnerState;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code /api/v1/runners}: every runner (from the read model, whichever instance owns it) and the
 * operator's quarantine, which is a {@code runner.command} like detection's.
 */
@Path("/api/v1/runners")
@Produces(MediaType.APPLICATION_JSON)
public class RunnersResource {
  private static final int MAX_REASON = 500;

  private final OrchestratorRuntime runtime;
  private final EventMetadataFactory metadata;

  RunnersResource(
      OrchestratorRuntime runtime,
      @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
    this.runtime = runtime;
    this.metadata = new EventMetadataFactory("runner-orchestrator", version);
  }

  @GET
  public Response list(
      @QueryParam("state") String state,
      @QueryParam("repository") String repository,
      @QueryParam("job") String job) {
    RunnerState wanted = null;
    if (state != null && !state.isBlank()) {
      try {
        wanted = RunnerState.valueOf(state.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        return error(400, "bad_request", "unknown state '" + clip(state) + "'; one of " + states());
      }
    }
    Long jobId = null;
    if (job != null && !job.isBlank()) {
      try {
        jobId = Long.parseLong(job.trim());
      } catch (NumberFormatException e) {
        return error(400, "bad_request", "job must be a numeric job id");
      }
    }
    final RunnerState s = wanted;
    final Long j = jobId;
    List<Map<String, Object>> runners =
        runtime.view().all().stream()
            .filter(r -> s == null || r.getState() == s)
            .filter(
                r ->
                    repository == null
                        || repository.isBlank()
                        || repository.equals(r.getRepositoryFullName())
                        || repository.equals(r.getJobRepositoryFullName()))
            .filter(r -> j == null || j.equals(r.getJobId()) || j == r.getRequestedForJobId())
            .sorted(Comparator.comparingLong(RunnerRecord::getCreatedAt))
            .map(RunnersResource::json)
            .toList();
    return Response.ok(runners).build();
  }

  @GET
  @Path("{id}")
  public Response get(@PathParam("id") String id) {
    return runtime
        .view()
        .get(id)
        .map(r -> Response.ok(json(r)).build())
        .orElseGet(() -> error(404, "not_found", "no runner " + clip(id)));
  }

  @POST
  @Path("{id}/quarantine")
  @Consumes(MediaType.APPLICATION_JSON)
  @Blocking
  public Response quarantine(@PathParam("id") String id, JsonNode body) {
    if (body == null || !body.isObject()) {
      return error(400, "bad_request", "body must be a JSON object {\"reason\": \"...\"}");
    }
    JsonNode reasonNode = body.get("reason");
    if (reasonNode == null || !reasonNode.isTextual() || reasonNode.asText().isBlank()) {
      return error(400, "bad_request", "reason is required (a non-empty string)");
    }
    String reason = reasonNode.asText().trim();
    if (reason.length() > MAX_REASON) {
      return error(400, "bad_request", "reason must be at most " + MAX_REASON + " characters");
    }
    RunnerRecord r = runtime.view().get(id).orElse(null);
    if (r == null) {
      return error(404, "not_found", "no runner " + clip(id));
    }
    String commandId = "api-" + UUID.randomUUID();
    RunnerCommand command =
        RunnerCommand.newBuilder()
            .setMetadata(
                metadata.create(
                    EventMetadataFactory.correlation(null, r.getJobId(), r.getRunId(), id)))
            .setCommandId(commandId)
            .setCommand(CommandType.QUARANTINE)
            .setRunnerId(id)
            .setJobId(r.getJobId())
            .setReason(reason)
            .setRequestedBy("api")
            .build();
    try {
      runtime.publisher().command(command).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return error(503, "kafka_unavailable", "the quarantine command could not be stored; retry");
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("commandId", commandId);
    answer.put("runnerId", id);
    answer.put("state", r.getState().name());
    return Response.accepted(answer).build();
  }

  static Map<String, Object> json(RunnerRecord r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.getRunnerId());
    m.put("jobId", r.getJobId());
    m.put("requestedForJobId", r.getRequestedForJobId());
    m.put("runAttempt", r.getRunAttempt());
    m.put("repository", r.getRepositoryFullName());
    m.put("organization", r.getOrganization());
    m.put("runnerClass", r.getRunnerClass());
    m.put("provider", r.getProvider());
    m.put("state", r.getState().name());
    m.put("reason", r.getReason());
    m.put("policyVersion", r.getPolicyVersion());
    m.put("findingId", r.getFindingId());
    m.put("createdAt", Instant.ofEpochMilli(r.getCreatedAt()).toString());
    m.put("updatedAt", Instant.ofEpochMilli(r.getUpdatedAt()).toString());
    Map<String, String> timestamps = new TreeMap<>();
    r.getTimestamps().forEach((k, v) -> timestamps.put(k, Instant.ofEpochMilli(v).toString()));
    m.put("timestamps", timestamps);
    m.put("provisionAttempts", r.getProvisionAttempts());
    Map<String, String> attributes = new TreeMap<>(r.getAttributes());
    attributes.remove("busyDeadline");
    attributes.remove("retryDue");
    m.put("attributes", attributes);
    return m;
  }

  private static String states() {
    return java.util.Arrays.stream(RunnerState.values())
        .filter(s -> s != RunnerState.UNKNOWN)
        .map(Enum::name)
        .toList()
        .toString();
  }

  private static String clip(String s) {
    String safe = s.replaceAll("[^A-Za-z0-9._-]", "?");
    return safe.length() > 80 ? safe.substring(0, 80) + "…" : safe;
  }

  static Response error(int status, String code, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity(Map.of("error", code, "message", message))
        .build();
  }
}
