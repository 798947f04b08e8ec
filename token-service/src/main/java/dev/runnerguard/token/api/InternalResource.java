package dev.runnerguard.token.api;

import dev.runnerguard.token.apps.BudgetExhaustedException;
import dev.runnerguard.token.config.TokenRuntime;
import dev.runnerguard.token.spi.GitHubClient.JitSpec;
import dev.runnerguard.token.spi.GitHubClient.JobInfo;
import dev.runnerguard.token.spi.GitHubClient.RunnerInfo;
import dev.runnerguard.token.spi.GitHubException;
import dev.runnerguard.token.spi.JitConfig;
import dev.runnerguard.token.tokens.TokenOperations;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** The orchestrator's internal API: every call needs a valid service token. */
@Path("/internal/v1")
@Produces(MediaType.APPLICATION_JSON)
public class InternalResource {
  private static final Logger LOG = Logger.getLogger(InternalResource.class);

  private final TokenRuntime runtime;

  public InternalResource(TokenRuntime runtime) {
    this.runtime = runtime;
  }

  /** Authentication of /internal: 503 when not configured, 401 JSON without a valid token. */
  @ServerRequestFilter(preMatching = true)
  public Optional<Response> authenticate(ContainerRequestContext ctx) {
    String path = ctx.getUriInfo().getPath();
    if (!path.startsWith("/internal")) {
      return Optional.empty();
    }
    if (runtime.verifier() == null || runtime.operations() == null) {
      return Optional.of(error(503, "not_configured", runtime.notReady(), List.of()));
    }
    Optional<String> refusal =
        runtime.verifier().check(ctx.getHeaderString("Authorization"), Instant.now());
    if (refusal.isPresent()) {
      return Optional.of(
          Response.status(401)
              .header("WWW-Authenticate", "Bearer")
              .type(MediaType.APPLICATION_JSON)
              .entity(body("unauthorized", refusal.get(), List.of()))
              .build());
    }
    return Optional.empty();
  }

  @POST
  @Path("/jit")
  @Consumes(MediaType.APPLICATION_JSON)
  public Response jit(JitRequest req) {
    if (req == null) {
      throw new ApiException(400, "bad_request", "a JSON body is required");
    }
    List<String> problems = req.problems();
    if (!problems.isEmpty()) {
      throw new ApiException(400, "bad_request", "invalid JIT request", problems);
    }
    TokenOperations ops = runtime.operations();
    installation(ops, req.org());
    JitConfig jit =
        ops.mintJit(
            req.org(),
            req.repo(),
            new JitSpec(
                req.runnerName(),
                req.runnerGroupId(),
                List.copyOf(req.labels()),
                req.workFolder() == null ? "_work" : req.workFolder()));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("runnerId", jit.runnerId());
    out.put("runnerName", jit.runnerName());
    out.put("encodedJitConfig", jit.encoded());
    return Response.status(201).entity(out).build();
  }

  @DELETE
  @Path("/orgs/{org}/runners/{id}")
  public Response deleteRunner(@PathParam("org") String org, @PathParam("id") String id) {
    TokenOperations ops = runtime.operations();
    installation(ops, org);
    ops.deleteRunner(org, positive(id, "runner id"), "requested by the orchestrator");
    return Response.noContent().build();
  }

  @GET
  @Path("/orgs/{org}/runners")
  public Map<String, Object> runners(@PathParam("org") String org) {
    TokenOperations ops = runtime.operations();
    installation(ops, org);
    List<Map<String, Object>> list = new ArrayList<>();
    for (RunnerInfo r : ops.listRunners(org)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", r.id());
      m.put("name", r.name());
      m.put("status", r.status());
      m.put("busy", r.busy());
      m.put("labels", r.labels());
      list.add(m);
    }
    return Map.of("totalCount", list.size(), "runners", list);
  }

  @GET
  @Path("/repos/{owner}/{repo}/jobs/{jobId}")
  public Map<String, Object> job(
      @PathParam("owner") String owner,
      @PathParam("repo") String repo,
      @PathParam("jobId") String jobId) {
    TokenOperations ops = runtime.operations();
    installation(ops, owner);
    repoName(repo);
    JobInfo j = ops.job(owner, repo, positive(jobId, "job id"));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", j.id());
    m.put("status", j.status());
    m.put("conclusion", j.conclusion());
    m.put("runnerName", j.runnerName());
    return m;
  }

  @POST
  @Path("/repos/{owner}/{repo}/runs/{runId}/cancel")
  public Response cancel(
      @PathParam("owner") String owner,
      @PathParam("repo") String repo,
      @PathParam("runId") String runId,
      @QueryParam("force") String force) {
    TokenOperations ops = runtime.operations();
    installation(ops, owner);
    repoName(repo);
    if (force != null && !force.equals("true") && !force.equals("false")) {
      throw new ApiException(400, "bad_request", "force must be true or false");
    }
    ops.cancel(owner, repo, positive(runId, "run id"), "true".equals(force));
    return Response.status(202).entity(Map.of("cancelled", true)).build();
  }

  private static void installation(TokenOperations ops, String org) {
    if (org == null || !JitRequest.GITHUB_NAME.matcher(org).matches()) {
      throw new ApiException(400, "bad_request", "org must be a GitHub organisation name");
    }
    if (!ops.manages(org)) {
      throw new ApiException(
          404, "unknown_org", "organisation " + org + " has no configured installation");
    }
  }

  private static void repoName(String repo) {
    if (!JitRequest.GITHUB_NAME.matcher(repo).matches()) {
      throw new ApiException(400, "bad_request", "repo must be a GitHub repository name");
    }
  }

  private static long positive(String v, String what) {
    try {
      long l = Long.parseLong(v);
      if (l > 0) {
        return l;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new ApiException(400, "bad_request", what + " must be a positive integer");
  }

  @ServerExceptionMapper
  public Response api(ApiException e) {
    return error(e.status(), e.error(), e.getMessage(), e.problems());
  }

  @ServerExceptionMapper
  public Response github(GitHubException e) {
    if (e.circuitOpen()) {
      LOG.debugf("GitHub call refused: %s", e.getMessage());
    } else {
      LOG.warnf("GitHub call failed: %s", e.getMessage());
    }
    if (e.retriable()) {
      return retryAfter(
          error(
              e.rateLimited() ? 429 : 503,
              e.rateLimited() ? "github_rate_limited" : "github_unavailable",
              e.getMessage(),
              List.of()),
          e.retryAfter());
    }
    int status =
        switch (e.status()) {
          case 404 -> 404;
          case 409 -> 409;
          case 422 -> 422;
          default -> 502;
        };
    return error(status, "github_refused", e.getMessage(), List.of());
  }

  @ServerExceptionMapper
  public Response budget(BudgetExhaustedException e) {
    LOG.infof("GitHub call refused: %s", e.getMessage());
    return retryAfter(
        error(429, "github_budget_exhausted", e.getMessage(), List.of()), e.retryAfter());
  }

  /** Adds Retry-After (whole seconds, at least 1) when the wait is known. */
  private static Response retryAfter(Response r, Duration wait) {
    if (wait == null) {
      return r;
    }
    long s = wait.getSeconds() + (wait.getNano() > 0 ? 1 : 0);
    return Response.fromResponse(r).header("Retry-After", Math.max(1, s)).build();
  }

  @ServerExceptionMapper
  public Response badJson(jakarta.ws.rs.ProcessingException e) {
    return error(400, "bad_request", "the body is not valid JSON for this endpoint", List.of());
  }

  private static Response error(int status, String error, String message, List<String> problems) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity(body(error, message, problems))
        .build();
  }

  private static Map<String, Object> body(String error, String message, List<String> problems) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("error", error);
    m.put("message", message);
    if (!problems.isEmpty()) {
      m.put("problems", problems);
    }
    return m;
  }
}
