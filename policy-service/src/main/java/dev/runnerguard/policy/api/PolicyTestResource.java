package dev.runnerguard.policy.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runnerguard.policy.admission.PolicySet;
import dev.runnerguard.policy.admission.PolicyTester;
import dev.runnerguard.policy.github.WorkflowJobPayloads;
import dev.runnerguard.policy.load.PolicyFile;
import dev.runnerguard.policy.load.PolicyLoadException;
import dev.runnerguard.policy.load.PolicyLoader;
import dev.runnerguard.policy.reload.PolicyService;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/v1/policy/test}: evaluates sample {@code workflow_job} payloads against the
 * policy files given in the request ({@code files}: name to YAML text) or, without them, against
 * the active policy set. Changes nothing.
 *
 * <p>Answers 200 {@code {valid: true, policyVersion, decisions: [...]}}; 422 {@code {valid: false,
 * problems: [{file, line, message}]}} for invalid policy files; 400 for a malformed request or
 * payload; 503 when no files are given and no policy set is active.
 */
@Path("/api/v1/policy/test")
public class PolicyTestResource {
  private final PolicyService policies;

  public PolicyTestResource(PolicyService policies) {
    this.policies = policies;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public Response test(JsonNode request) {
    if (request == null || !request.isObject() || !request.path("payloads").isArray()) {
      return error(
          400, "body must be a JSON object with 'payloads' (array of workflow_job bodies)");
    }
    PolicySet set;
    JsonNode files = request.get("files");
    if (files != null && !files.isNull()) {
      if (!files.isObject()) {
        return error(400, "'files' must map file names to YAML text");
      }
      List<PolicyFile> policyFiles = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isTextual() || !PolicyFile.isPolicyFileName(e.getKey())) {
          return error(
              400, "'files." + e.getKey() + "' must be a *.yaml/*.yml name with YAML text");
        }
        policyFiles.add(PolicyFile.of(e.getKey(), e.getValue().asText()));
      }
      try {
        set = PolicyLoader.load("request", policyFiles);
      } catch (PolicyLoadException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("valid", false);
        body.put("problems", PolicyTester.problems(e.problems()));
        return Response.status(422).entity(body).build();
      }
    } else {
      var active = policies.active();
      if (active.isEmpty()) {
        return error(503, "no policy set is active and the request gives no 'files'");
      }
      set = active.get();
    }
    List<Map<String, Object>> decisions = new ArrayList<>();
    JsonNode payloads = request.get("payloads");
    for (int i = 0; i < payloads.size(); i++) {
      WorkflowJobEvent job;
      try {
        job = WorkflowJobPayloads.parse(payloads.get(i));
      } catch (IllegalArgumentException e) {
        return error(400, "payloads[" + i + "]: " + e.getMessage());
      }
      decisions.add(PolicyTester.describe("payloads[" + i + "]", set, job));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("valid", true);
    body.put("policyVersion", set.version());
    body.put("source", set.source());
    body.put("decisions", decisions);
    return Response.ok(body).build();
  }

  private static Response error(int status, String message) {
    return Response.status(status).entity(Map.of("error", message)).build();
  }
}
