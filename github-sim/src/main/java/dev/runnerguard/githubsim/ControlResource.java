package dev.runnerguard.githubsim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runnerguard.githubsim.Model.Job;
import dev.runnerguard.githubsim.Model.Runner;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** The simulator's own API: apps, jobs, runners, deliveries, faults, and the runner protocol. */
@Path("/_sim")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class ControlResource {

  static final String CREDENTIAL_HEADER = "X-Sim-Runner-Credential";
  private static final Pattern REPOSITORY =
      Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}");
  private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.:\\[\\]-]+:[0-9]{1,5}");
  private static final Set<String> MISBEHAVIOURS =
      Set.of("exfiltrate", "nested-runner", "survivor", "cpu-burn");

  @Inject Sim sim;
  @Inject AppRegistry apps;
  @Inject WebhookSender webhooks;
  @Inject ExfilListener exfil;
  @Inject SimConfig config;
  @Inject RateLimits rateLimits;
  @Context UriInfo uri;

  // ---- apps ----

  @POST
  @Path("apps")
  public Response registerApp(String body) {
    JsonNode req = Json.parseControl(body);
    if (!req.path("public_key_pem").isTextual()) {
      throw ApiError.control(400, "bad_request", "public_key_pem (string) is required");
    }
    var key = AppRegistry.parsePublicKeyPem(req.get("public_key_pem").asText());
    Long appId = null;
    if (req.has("app_id")) {
      if (!req.get("app_id").isIntegralNumber() || req.get("app_id").asLong() <= 0) {
        throw ApiError.control(400, "bad_request", "app_id must be a positive integer");
      }
      appId = req.get("app_id").asLong();
    }
    String clientId = null;
    if (req.has("client_id")) {
      if (!req.get("client_id").isTextual() || req.get("client_id").asText().isBlank()) {
        throw ApiError.control(400, "bad_request", "client_id must be a non-empty string");
      }
      clientId = req.get("client_id").asText();
    }
    List<String> orgs = strings(req, "orgs", 1, 100, "an organisation login");
    for (String o : orgs) {
      if (!o.matches("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")) {
        throw ApiError.control(400, "bad_request", "orgs: '" + o + "' is not a valid login");
      }
    }
    var app = apps.register(appId, clientId, key, orgs);
    return Response.status(201).entity(apps.describe(app)).build();
  }

  @GET
  @Path("apps")
  public List<Map<String, Object>> listApps() {
    return apps.apps().stream().map(apps::describe).toList();
  }

  // ---- jobs ----

  @POST
  @Path("jobs")
  public Response createJob(String body) {
    JsonNode req = Json.parseControl(body);
    if (!req.path("repository").isTextual()
        || !REPOSITORY.matcher(req.get("repository").asText()).matches()) {
      throw ApiError.control(
          400, "bad_request", "repository must be 'owner/name' (e.g. octo-org/octo-repo)");
    }
    String visibility = "private";
    if (req.has("visibility")) {
      visibility = req.get("visibility").asText("");
      if (!visibility.equals("private") && !visibility.equals("public")) {
        throw ApiError.control(400, "bad_request", "visibility must be 'private' or 'public'");
      }
    }
    List<String> labels = strings(req, "labels", 1, 100, "a label");
    List<String> steps = req.has("steps") ? strings(req, "steps", 0, 100, "a command") : List.of();
    Long groupId = null;
    if (req.has("runner_group_id") && !req.get("runner_group_id").isNull()) {
      if (!req.get("runner_group_id").isIntegralNumber()
          || sim.group(req.get("runner_group_id").asLong()).isEmpty()) {
        throw ApiError.control(
            400, "bad_request", "runner_group_id must name a runner group (1, 2 or 3)");
      }
      groupId = req.get("runner_group_id").asLong();
    }
    String misbehaviour = null;
    if (req.has("misbehaviour") && !req.get("misbehaviour").isNull()) {
      misbehaviour = req.get("misbehaviour").asText("");
      if (!MISBEHAVIOURS.contains(misbehaviour)) {
        throw ApiError.control(
            400,
            "bad_request",
            "misbehaviour must be one of exfiltrate, nested-runner, survivor, cpu-burn");
      }
    }
    String exfilTo = exfil.address();
    if (req.has("exfiltrate_to") && !req.get("exfiltrate_to").isNull()) {
      exfilTo = req.get("exfiltrate_to").asText("");
      if (!HOST_PORT.matcher(exfilTo).matches()) {
        throw ApiError.control(400, "bad_request", "exfiltrate_to must be 'host:port'");
      }
    }
    int seconds = 0;
    if (req.has("misbehaviour_seconds")) {
      JsonNode s = req.get("misbehaviour_seconds");
      if (!s.isIntegralNumber() || s.asInt() < 1 || s.asInt() > 3600) {
        throw ApiError.control(
            400, "bad_request", "misbehaviour_seconds must be an integer from 1 to 3600");
      }
      seconds = s.asInt();
    }
    String name = req.path("name").asText("build");
    String workflow = req.path("workflow_name").asText("CI");
    Job j =
        sim.enqueue(
            new Sim.JobSpec(
                req.get("repository").asText(),
                visibility,
                labels,
                steps,
                groupId,
                misbehaviour,
                exfilTo,
                seconds,
                name,
                workflow));
    return Response.status(201)
        .entity(Map.of("id", j.id, "run_id", j.runId, "run_attempt", 1))
        .build();
  }

  private static List<String> strings(JsonNode req, String field, int min, int max, String what) {
    JsonNode n = req.get(field);
    if (n == null || !n.isArray()) {
      throw ApiError.control(400, "bad_request", field + " must be an array of strings");
    }
    if (n.size() < min || n.size() > max) {
      throw ApiError.control(
          400,
          "bad_request",
          field + " must have " + min + " to " + max + " items, got " + n.size());
    }
    List<String> out = new ArrayList<>();
    for (JsonNode x : n) {
      if (!x.isTextual() || x.asText().isBlank()) {
        throw ApiError.control(
            400, "bad_request", field + ": every item must be " + what + " (non-empty string)");
      }
      out.add(x.asText());
    }
    return out;
  }

  @GET
  @Path("jobs")
  public List<Map<String, Object>> listJobs() {
    return sim.jobs().stream().map(ControlResource::jobStatus).toList();
  }

  @GET
  @Path("jobs/{id}")
  public Map<String, Object> getJob(@PathParam("id") String id) {
    long jobId;
    try {
      jobId = Long.parseLong(id);
    } catch (NumberFormatException e) {
      throw ApiError.control(400, "bad_request", "job id must be an integer");
    }
    return sim.job(jobId)
        .map(ControlResource::jobStatus)
        .orElseThrow(() -> ApiError.control(404, "not_found", "no job " + jobId));
  }

  static Map<String, Object> jobStatus(Job j) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", j.id);
    m.put("run_id", j.runId);
    m.put("run_attempt", 1);
    m.put("repository", j.fullName);
    m.put("labels", j.labels);
    m.put("status", j.status);
    m.put("conclusion", j.conclusion);
    m.put("runner_id", j.runnerId);
    m.put("runner_name", j.runnerName);
    m.put("runner_group_id", j.runnerGroupId);
    m.put("misbehaviour", j.misbehaviour);
    return m;
  }

  // ---- runners, deliveries, faults ----

  @GET
  @Path("runners")
  public List<Map<String, Object>> listRunners() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Runner r : sim.runners(null, null)) {
      Map<String, Object> m = sim.runnerJson(r);
      m.put("org", r.org);
      m.put("repository", r.repo);
      m.put("job_id", r.jobId);
      m.put("foreign", r.foreign);
      out.add(m);
    }
    return out;
  }

  @GET
  @Path("deliveries")
  public List<Map<String, Object>> deliveries() {
    return webhooks.deliveries();
  }

  @GET
  @Path("exfil")
  public Map<String, Object> exfilStatus() {
    return Map.of("address", exfil.address(), "connections", exfil.connections());
  }

  @GET
  @Path("faults")
  public Map<String, Object> faults() {
    return sim.faults.describe();
  }

  @DELETE
  @Path("faults")
  public Map<String, Object> resetFaults() {
    sim.faults.reset();
    rateLimits.reset();
    return sim.faults.describe();
  }

  @POST
  @Path("faults")
  public Response setFaults(String body) {
    JsonNode req = Json.parseControl(body);
    Set<String> known =
        Set.of(
            "fail_next",
            "fail_status",
            "rate_limit_next",
            "retry_after",
            "latency_ms",
            "drop_next_completed",
            "foreign_runner",
            "rate_limit_app");
    req.fieldNames()
        .forEachRemaining(
            f -> {
              if (!known.contains(f)) {
                throw ApiError.control(
                    400, "bad_request", "unknown fault '" + f + "'; known: " + known);
              }
            });
    int failNext = intField(req, "fail_next", 0, 1000);
    int failStatus = intField(req, "fail_status", 500, 599);
    int rateLimitNext = intField(req, "rate_limit_next", 0, 1000);
    int retryAfter = intField(req, "retry_after", 0, 3600);
    int latency = intField(req, "latency_ms", 0, 60_000);
    if (req.has("drop_next_completed") && !req.get("drop_next_completed").isBoolean()) {
      throw ApiError.control(400, "bad_request", "drop_next_completed must be a boolean");
    }
    List<String> appBuckets = null;
    int appRemaining = 0;
    int appResetIn = 60;
    if (req.has("rate_limit_app")) {
      JsonNode spec = req.get("rate_limit_app");
      if (!spec.isObject() || !spec.path("app_id").isIntegralNumber()) {
        throw ApiError.control(
            400, "bad_request", "rate_limit_app must be an object {app_id, remaining?, reset_in?}");
      }
      long appId = spec.get("app_id").asLong();
      if (apps.apps().stream().noneMatch(a -> a.appId() == appId)) {
        throw ApiError.control(404, "not_found", "no App with id " + appId);
      }
      appRemaining = spec.has("remaining") ? intField(spec, "remaining", 0, 1_000_000) : 0;
      appResetIn = spec.has("reset_in") ? intField(spec, "reset_in", 1, 3600) : 60;
      appBuckets = new ArrayList<>();
      appBuckets.add("app:" + appId);
      for (var i : apps.installationsOf(appId)) {
        appBuckets.add("installation:" + i.id());
      }
    }
    Map<String, Object> foreign = null;
    if (req.has("foreign_runner")) {
      foreign = foreignRunner(req.get("foreign_runner"));
    }
    Map<String, Object> limitedBuckets = null;
    if (appBuckets != null) {
      limitedBuckets = rateLimits.set(appBuckets, appRemaining, appResetIn);
    }
    synchronized (sim.faults) {
      if (req.has("fail_next")) {
        sim.faults.failNext = failNext;
      }
      if (req.has("fail_status")) {
        sim.faults.failStatus = failStatus;
      }
      if (req.has("rate_limit_next")) {
        sim.faults.rateLimitNext = rateLimitNext;
      }
      if (req.has("retry_after")) {
        sim.faults.retryAfterSeconds = retryAfter;
      }
      if (req.has("latency_ms")) {
        sim.faults.latencyMs = latency;
      }
      if (req.has("drop_next_completed")) {
        sim.faults.dropNextCompleted = req.get("drop_next_completed").asBoolean();
      }
    }
    Map<String, Object> out = new LinkedHashMap<>(sim.faults.describe());
    if (foreign != null) {
      out.put("foreign_runner", foreign);
    }
    if (limitedBuckets != null) {
      out.put("rate_limit_app", limitedBuckets);
    }
    return Response.ok(out).build();
  }

  /** A runner registered outside the platform (as a person with admin rights would). */
  private Map<String, Object> foreignRunner(JsonNode spec) {
    if (!spec.isObject()) {
      throw ApiError.control(400, "bad_request", "foreign_runner must be an object");
    }
    String org = spec.path("org").asText(config.orgs().get(0));
    String name = spec.path("name").asText("foreign-" + apps.randomString(6).toLowerCase());
    if (!GitHubApiResource.RUNNER_NAME.matcher(name).matches()) {
      throw ApiError.control(400, "bad_request", "foreign_runner.name is not a valid runner name");
    }
    long group = spec.path("runner_group_id").asLong(1);
    if (sim.group(group).isEmpty()) {
      throw ApiError.control(400, "bad_request", "foreign_runner.runner_group_id is unknown");
    }
    List<String> labels =
        spec.has("labels") ? strings(spec, "labels", 1, 100, "a label") : List.of("self-hosted");
    Runner r = sim.registerRunner(org, null, name, group, labels, "_work", true);
    r.online = true;
    r.os = "linux";
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("runner", sim.runnerJson(r));
    out.put("encoded_jit_config", sim.encodedJitConfig(r, baseUrl()));
    return out;
  }

  private static int intField(JsonNode req, String f, int min, int max) {
    if (!req.has(f)) {
      return 0;
    }
    JsonNode n = req.get(f);
    if (!n.isIntegralNumber() || n.asLong() < min || n.asLong() > max) {
      throw ApiError.control(
          400, "bad_request", f + " must be an integer from " + min + " to " + max);
    }
    return n.asInt();
  }

  // ---- runner protocol ----

  @GET
  @Path("runner.sh")
  @Produces("text/x-shellscript")
  public Response runnerScript() throws IOException {
    try (InputStream in = ControlResource.class.getResourceAsStream("/runner/sim-runner.sh")) {
      return Response.ok(new String(in.readAllBytes(), StandardCharsets.UTF_8)).build();
    }
  }

  @POST
  @Path("runner/connect")
  public Map<String, Object> connect(@HeaderParam(CREDENTIAL_HEADER) String credential) {
    Runner r = sim.connect(credential);
    return Map.of("runner_id", r.id, "runner_name", r.name, "status", "online");
  }

  /** Long-poll for a job: 200 text lines (key=value, steps base64) or 204 after the wait. */
  @GET
  @Path("runner/job")
  @Produces(MediaType.TEXT_PLAIN)
  public Response nextJob(@HeaderParam(CREDENTIAL_HEADER) String credential)
      throws InterruptedException {
    Optional<Job> job = sim.claim(credential, config.runnerPollTimeout().toMillis());
    if (job.isEmpty()) {
      return Response.noContent().build();
    }
    Job j = job.get();
    StringBuilder sb = new StringBuilder();
    sb.append("job_id=").append(j.id).append('\n');
    sb.append("run_id=").append(j.runId).append('\n');
    sb.append("repository=").append(j.fullName).append('\n');
    if (j.misbehaviour != null) {
      sb.append("misbehaviour=").append(j.misbehaviour).append('\n');
      int colon = j.exfiltrateTo.lastIndexOf(':');
      sb.append("exfiltrate_host=").append(j.exfiltrateTo, 0, colon).append('\n');
      sb.append("exfiltrate_port=").append(j.exfiltrateTo.substring(colon + 1)).append('\n');
      if (j.misbehaviourSeconds > 0) {
        sb.append("misbehaviour_seconds=").append(j.misbehaviourSeconds).append('\n');
      }
    }
    for (String step : j.steps) {
      sb.append("step=")
          .append(Base64.getEncoder().encodeToString(step.getBytes(StandardCharsets.UTF_8)))
          .append('\n');
    }
    return Response.ok(sb.toString()).build();
  }

  @POST
  @Path("runner/complete")
  public Map<String, Object> complete(
      @HeaderParam(CREDENTIAL_HEADER) String credential, String body) {
    JsonNode req = Json.parseControl(body);
    long jobId;
    try {
      jobId = Long.parseLong(req.path("job_id").asText(""));
    } catch (NumberFormatException e) {
      throw ApiError.control(400, "bad_request", "job_id is required");
    }
    String conclusion = req.path("conclusion").asText("");
    if (!conclusion.equals("success") && !conclusion.equals("failure")) {
      throw ApiError.control(400, "bad_request", "conclusion must be success or failure");
    }
    int failedStep = req.path("failed_step").asInt(0);
    Job j = sim.complete(credential, jobId, conclusion, failedStep);
    return Map.of("job_id", j.id, "status", j.status, "conclusion", j.conclusion);
  }

  private String baseUrl() {
    return config
        .baseUrl()
        .orElseGet(() -> GitHubApiResource.stripSlash(uri.getBaseUri().toString()));
  }
}
