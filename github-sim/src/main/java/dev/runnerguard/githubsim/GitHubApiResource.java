package dev.runnerguard.githubsim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runnerguard.githubsim.Model.Group;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The GitHub REST subset of the reference OpenAPI files. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class GitHubApiResource {

  static final Pattern RUNNER_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  @Inject AppRegistry apps;
  @Inject Sim sim;
  @Inject SimConfig config;
  @Context UriInfo uri;

  // ---- App authentication ----

  @POST
  @Path("app/installations/{installation_id}/access_tokens")
  @Consumes(MediaType.WILDCARD)
  public Response accessToken(
      @PathParam("installation_id") String installationId,
      @HeaderParam("Authorization") String authorization,
      String body) {
    String jwt = bearer(authorization);
    if (jwt == null) {
      throw ApiError.github(
          401, "A JSON web token could not be decoded (send Authorization: Bearer <App JWT>)");
    }
    JwtVerifier.Result result = JwtVerifier.verify(jwt, apps::findByIssuer, Instant.now());
    if (!result.ok()) {
      throw ApiError.github(401, result.refusal());
    }
    long id = parseId(installationId);
    AppRegistry.Installation inst =
        apps.installation(id)
            .filter(i -> i.appId() == result.app().appId())
            .orElseThrow(() -> ApiError.github(404, "Not Found"));
    Map<String, Object> permissions = new LinkedHashMap<>();
    permissions.put("actions", "write");
    permissions.put("administration", "write");
    permissions.put("metadata", "read");
    permissions.put("organization_self_hosted_runners", "write");
    String selection = "all";
    JsonNode req = Json.parseOptional(body);
    if (req != null && req.has("permissions") && req.get("permissions").isObject()) {
      permissions = new LinkedHashMap<>();
      for (var it = req.get("permissions").fields(); it.hasNext(); ) {
        var e = it.next();
        permissions.put(e.getKey(), e.getValue().asText());
      }
    }
    if (req != null && (req.has("repositories") || req.has("repository_ids"))) {
      selection = "selected";
    }
    var issued = apps.issueToken(inst.id(), Instant.now());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("token", issued.getKey());
    out.put("expires_at", Sim.ts(issued.getValue().expiresAt()));
    out.put("permissions", permissions);
    out.put("repository_selection", selection);
    return Response.status(201).entity(out).build();
  }

  // ---- runners ----

  @POST
  @Path("orgs/{org}/actions/runners/generate-jitconfig")
  @Consumes(MediaType.WILDCARD)
  public Response orgJit(
      @PathParam("org") String org, @HeaderParam("Authorization") String auth, String body) {
    authorize(auth, org);
    return jit(org, null, body);
  }

  @POST
  @Path("repos/{owner}/{repo}/actions/runners/generate-jitconfig")
  @Consumes(MediaType.WILDCARD)
  public Response repoJit(
      @PathParam("owner") String owner,
      @PathParam("repo") String repo,
      @HeaderParam("Authorization") String auth,
      String body) {
    authorize(auth, owner);
    return jit(owner, owner + "/" + repo, body);
  }

  private Response jit(String org, String repo, String body) {
    JsonNode req = Json.parseOptional(body);
    if (req == null || !req.isObject()) {
      throw ApiError.validation(List.of("the request body must be a JSON object"));
    }
    List<String> errors = new ArrayList<>();
    String name = req.path("name").isTextual() ? req.get("name").asText() : null;
    if (name == null) {
      errors.add("name is required and must be a string");
    } else if (!RUNNER_NAME.matcher(name).matches()) {
      errors.add("name must be 1 to 64 characters of letters, digits, '.', '-' or '_'");
    }
    Long groupId = null;
    if (!req.path("runner_group_id").isIntegralNumber()) {
      errors.add("runner_group_id is required and must be an integer");
    } else {
      groupId = req.get("runner_group_id").asLong();
      if (sim.group(groupId).isEmpty()) {
        errors.add("runner_group_id " + groupId + " is not a runner group of " + org);
      }
    }
    List<String> labels = new ArrayList<>();
    JsonNode l = req.path("labels");
    if (!l.isArray()) {
      errors.add("labels is required and must be an array of strings");
    } else if (l.size() < 1 || l.size() > 100) {
      errors.add("labels must contain 1 to 100 items, got " + l.size());
    } else {
      for (JsonNode x : l) {
        if (!x.isTextual() || x.asText().isBlank() || x.asText().length() > 256) {
          errors.add("labels must be non-empty strings of at most 256 characters");
          break;
        }
        labels.add(x.asText());
      }
    }
    String workFolder = "_work";
    if (req.has("work_folder")) {
      if (!req.get("work_folder").isTextual()) {
        errors.add("work_folder must be a string");
      } else {
        workFolder = req.get("work_folder").asText();
      }
    }
    if (!errors.isEmpty()) {
      throw ApiError.validation(errors);
    }
    Runner r = sim.registerRunner(org, repo, name, groupId, labels, workFolder, false);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("runner", sim.runnerJson(r));
    out.put("encoded_jit_config", sim.encodedJitConfig(r, baseUrl()));
    return Response.status(201).entity(out).build();
  }

  @GET
  @Path("orgs/{org}/actions/runners")
  public Response orgRunners(
      @PathParam("org") String org,
      @HeaderParam("Authorization") String auth,
      @QueryParam("name") String name,
      @QueryParam("per_page") Integer perPage,
      @QueryParam("page") Integer page) {
    authorize(auth, org);
    return list(sim.runners(org, null), name, perPage, page, "/orgs/" + org + "/actions/runners");
  }

  @GET
  @Path("repos/{owner}/{repo}/actions/runners")
  public Response repoRunners(
      @PathParam("owner") String owner,
      @PathParam("repo") String repo,
      @HeaderParam("Authorization") String auth,
      @QueryParam("name") String name,
      @QueryParam("per_page") Integer perPage,
      @QueryParam("page") Integer page) {
    authorize(auth, owner);
    return list(
        sim.runners(owner, owner + "/" + repo),
        name,
        perPage,
        page,
        "/repos/" + owner + "/" + repo + "/actions/runners");
  }

  private Response list(List<Runner> all, String name, Integer perPage, Integer page, String path) {
    List<Runner> matching = all.stream().filter(r -> name == null || r.name.equals(name)).toList();
    int size = perPage == null ? 30 : Math.max(1, Math.min(100, perPage));
    int p = page == null ? 1 : Math.max(1, page);
    int from = Math.min(matching.size(), (p - 1) * size);
    int to = Math.min(matching.size(), from + size);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("total_count", matching.size());
    out.put("runners", matching.subList(from, to).stream().map(sim::runnerJson).toList());
    Response.ResponseBuilder rb = Response.ok(out);
    int last = Math.max(1, (matching.size() + size - 1) / size);
    if (p < last) {
      String u = baseUrl() + path + "?per_page=" + size + "&page=";
      rb.header("Link", "<" + u + (p + 1) + ">; rel=\"next\", <" + u + last + ">; rel=\"last\"");
    }
    return rb.build();
  }

  @GET
  @Path("orgs/{org}/actions/runners/{runner_id}")
  public Map<String, Object> orgRunner(
      @PathParam("org") String org,
      @PathParam("runner_id") String runnerId,
      @HeaderParam("Authorization") String auth) {
    authorize(auth, org);
    return sim.runner(parseId(runnerId))
        .filter(r -> r.org.equalsIgnoreCase(org) && r.repo == null)
        .map(sim::runnerJson)
        .orElseThrow(() -> ApiError.github(404, "Not Found"));
  }

  @DELETE
  @Path("orgs/{org}/actions/runners/{runner_id}")
  public Response deleteOrgRunner(
      @PathParam("org") String org,
      @PathParam("runner_id") String runnerId,
      @HeaderParam("Authorization") String auth) {
    authorize(auth, org);
    sim.deleteRunner(org, null, parseId(runnerId));
    return Response.noContent().build();
  }

  @DELETE
  @Path("repos/{owner}/{repo}/actions/runners/{runner_id}")
  public Response deleteRepoRunner(
      @PathParam("owner") String owner,
      @PathParam("repo") String repo,
      @PathParam("runner_id") String runnerId,
      @HeaderParam("Authorization") String auth) {
    authorize(auth, owner);
    sim.deleteRunner(owner, owner + "/" + repo, parseId(runnerId));
    return Response.noContent().build();
  }

  @GET
  @Path("orgs/{org}/actions/runner-groups")
  public Map<String, Object> runnerGroups(
      @PathParam("org") String org, @HeaderParam("Authorization") String auth) {
    authorize(auth, org);
    List<Map<String, Object>> groups = new ArrayList<>();
    for (Group g : Model.GROUPS) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", g.id());
      m.put("name", g.name());
      m.put("visibility", g.visibility());
      m.put("default", g.isDefault());
      m.put(
          "runners_url",
          baseUrl() + "/orgs/" + org + "/actions/runner_groups/" + g.id() + "/runners");
      m.put("inherited", false);
      m.put("allows_public_repositories", g.allowsPublic());
      m.put("restricted_to_workflows", false);
      m.put("selected_workflows", List.of());
      m.put("workflow_restrictions_read_only", false);
      groups.add(m);
    }
    return Map.of("total_count", groups.size(), "runner_groups", groups);
  }

  // ---- jobs and runs ----

  @GET
  @Path("repos/{owner}/{repo}/actions/jobs/{job_id}")
  public Map<String, Object> job(
      @PathParam("owner") String owner,
      @PathParam("repo") String repo,
      @PathParam("job_id") String jobId,
      @HeaderParam("Authorization") String auth) {
    authorize(auth, owner);
    return sim.job(parseId(jobId))
        .filter(j -> j.fullName.equalsIgnoreCase(owner + "/" + repo))
        .map(j -> sim.jobJson(j, baseUrl()))
        .orElseThrow(() -> ApiError.github(404, "Not Found"));
  }

  @POST
  @Path("repos/{owner}/{repo}/actions/runs/{run_id}/cancel")
  @Consumes(MediaType.WILDCARD)
  public Response cancel(
      @PathParam("owner") String owner,
      @PathParam("repo") String repo,
      @PathParam("run_id") String runId,
      @HeaderParam("Authorization") String auth) {
    authorize(auth, owner);
    sim.cancelRun(owner, repo, parseId(runId));
    return Response.status(202).entity(Map.of()).build();
  }

  @POST
  @Path("repos/{owner}/{repo}/actions/runs/{run_id}/force-cancel")
  @Consumes(MediaType.WILDCARD)
  public Response forceCancel(
      @PathParam("owner") String owner,
      @PathParam("repo") String repo,
      @PathParam("run_id") String runId,
      @HeaderParam("Authorization") String auth) {
    return cancel(owner, repo, runId, auth);
  }

  // ---- helpers ----

  /** Installation token auth: 401 bad credentials, 404 unknown org, 403 other org. */
  private void authorize(String authorization, String org) {
    String token = bearer(authorization);
    var inst =
        apps.installationOfToken(token, Instant.now())
            .orElseThrow(() -> ApiError.github(401, "Bad credentials"));
    if (!apps.orgKnown(org)) {
      throw ApiError.github(404, "Not Found");
    }
    if (!inst.org().equalsIgnoreCase(org)) {
      throw ApiError.github(403, "Resource not accessible by integration");
    }
  }

  static String bearer(String authorization) {
    if (authorization == null) {
      return null;
    }
    String a = authorization.trim();
    int sp = a.indexOf(' ');
    if (sp < 0) {
      return null;
    }
    String scheme = a.substring(0, sp);
    if (scheme.equalsIgnoreCase("bearer") || scheme.equalsIgnoreCase("token")) {
      return a.substring(sp + 1).trim();
    }
    return null;
  }

  static long parseId(String s) {
    try {
      long id = Long.parseLong(s);
      if (id <= 0) {
        throw new NumberFormatException();
      }
      return id;
    } catch (NumberFormatException e) {
      throw ApiError.github(404, "Not Found");
    }
  }

  private String baseUrl() {
    return config.baseUrl().orElseGet(() -> stripSlash(uri.getBaseUri().toString()));
  }

  static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
