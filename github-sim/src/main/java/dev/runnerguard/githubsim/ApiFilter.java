package dev.runnerguard.githubsim;

import com.nimbusds.jwt.SignedJWT;
import dev.runnerguard.githubsim.RateLimits.Snapshot;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Around the GitHub REST subset: injected latency, 5xx and rate-limit faults, the primary rate
 * limit with its {@code x-ratelimit-*} headers on every answer; and request metrics for all paths.
 */
public class ApiFilter {

  private static final String RL = "githubsim.ratelimit";

  @Inject Sim sim;
  @Inject AppRegistry apps;
  @Inject MeterRegistry registry;
  @Inject RateLimits rateLimits;

  static boolean isApi(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    return p.startsWith("app/") || p.startsWith("orgs/") || p.startsWith("repos/");
  }

  @ServerRequestFilter(preMatching = true)
  public Uni<Response> before(ContainerRequestContext ctx) {
    if (!isApi(ctx.getUriInfo().getPath())) {
      return null;
    }
    long latency = sim.faults.latency();
    Uni<Void> start =
        latency > 0
            ? Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(latency))
            : Uni.createFrom().voidItem();
    return start.map(x -> decide(ctx));
  }

  private Response decide(ContainerRequestContext ctx) {
    Snapshot rl = rateLimits.count(bucketKey(ctx.getHeaderString("Authorization")));
    int retryAfter = sim.faults.takeRateLimit();
    if (retryAfter >= 0) {
      long reset = Instant.now().getEpochSecond() + retryAfter;
      Snapshot limited = new Snapshot(rl.limit(), 0, rl.limit(), reset);
      ctx.setProperty(RL, limited);
      Response.ResponseBuilder rb =
          Response.fromResponse(
                  ApiError.json(
                      403,
                      error(
                          "API rate limit exceeded (simulated). Retry after " + retryAfter + " s.",
                          403)))
              .header("retry-after", retryAfter);
      return withRateHeaders(rb, limited).build();
    }
    if (rl.remaining() < 0) {
      Snapshot limited = new Snapshot(rl.limit(), 0, rl.limit(), rl.reset());
      ctx.setProperty(RL, limited);
      return withRateHeaders(
              Response.fromResponse(ApiError.json(403, error("API rate limit exceeded.", 403))),
              limited)
          .build();
    }
    ctx.setProperty(RL, rl);
    int failure = sim.faults.takeFailure();
    if (failure > 0) {
      return withRateHeaders(
              Response.fromResponse(
                  ApiError.json(failure, error("Server Error (simulated fault)", failure))),
              rl)
          .build();
    }
    return null;
  }

  private static Map<String, Object> error(String message, int status) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("message", message);
    m.put("documentation_url", ApiError.DOCS + "/using-the-rest-api/rate-limits-for-the-rest-api");
    m.put("status", String.valueOf(status));
    return m;
  }

  @ServerResponseFilter
  public void after(ContainerRequestContext req, ContainerResponseContext resp) {
    String path = req.getUriInfo().getPath();
    if (isApi(path) && resp.getHeaderString("x-ratelimit-limit") == null) {
      Object s = req.getProperty(RL);
      if (s instanceof Snapshot snap) {
        resp.getHeaders().putSingle("x-ratelimit-limit", snap.limit());
        resp.getHeaders().putSingle("x-ratelimit-remaining", Math.max(0, snap.remaining()));
        resp.getHeaders().putSingle("x-ratelimit-used", snap.used());
        resp.getHeaders().putSingle("x-ratelimit-reset", snap.reset());
        resp.getHeaders().putSingle("x-ratelimit-resource", "core");
      }
    }
    if (!path.startsWith("/q/")) {
      registry
          .counter(
              "runnerguard.sim.requests",
              "endpoint",
              endpoint(req.getMethod(), path),
              "status",
              String.valueOf(resp.getStatus()))
          .increment();
    }
  }

  private static Response.ResponseBuilder withRateHeaders(Response.ResponseBuilder rb, Snapshot s) {
    return rb.header("x-ratelimit-limit", s.limit())
        .header("x-ratelimit-remaining", Math.max(0, s.remaining()))
        .header("x-ratelimit-used", s.used())
        .header("x-ratelimit-reset", s.reset())
        .header("x-ratelimit-resource", "core");
  }

  private String bucketKey(String authorization) {
    String token = GitHubApiResource.bearer(authorization);
    if (token == null) {
      return "anonymous";
    }
    var inst = apps.installationOfToken(token, Instant.now());
    if (inst.isPresent()) {
      return "installation:" + inst.get().id();
    }
    if (token.chars().filter(c -> c == '.').count() == 2) {
      try {
        Object iss = SignedJWT.parse(token).getPayload().toJSONObject().get("iss");
        if (iss != null && apps.findByIssuer(String.valueOf(iss)).isPresent()) {
          return "app:" + apps.findByIssuer(String.valueOf(iss)).get().appId();
        }
      } catch (Exception e) {
        // not a JWT: anonymous
      }
    }
    return "anonymous";
  }

  private static final Map<Pattern, String> ENDPOINTS = new LinkedHashMap<>();

  static {
    ENDPOINTS.put(Pattern.compile("/app/installations/[^/]+/access_tokens"), "access_tokens");
    ENDPOINTS.put(
        Pattern.compile("/(orgs/[^/]+|repos/[^/]+/[^/]+)/actions/runners/generate-jitconfig"),
        "generate_jitconfig");
    ENDPOINTS.put(Pattern.compile("/(orgs/[^/]+|repos/[^/]+/[^/]+)/actions/runners"), "runners");
    ENDPOINTS.put(
        Pattern.compile("/(orgs/[^/]+|repos/[^/]+/[^/]+)/actions/runners/[^/]+"), "runner");
    ENDPOINTS.put(Pattern.compile("/orgs/[^/]+/actions/runner-groups"), "runner_groups");
    ENDPOINTS.put(Pattern.compile("/repos/[^/]+/[^/]+/actions/jobs/[^/]+"), "job");
    ENDPOINTS.put(Pattern.compile("/repos/[^/]+/[^/]+/actions/runs/[^/]+/cancel"), "cancel");
    ENDPOINTS.put(
        Pattern.compile("/repos/[^/]+/[^/]+/actions/runs/[^/]+/force-cancel"), "force_cancel");
    ENDPOINTS.put(Pattern.compile("/_sim/runner/.*"), "sim_runner_protocol");
    ENDPOINTS.put(Pattern.compile("/_sim/.*"), "sim_control");
  }

  static String endpoint(String method, String path) {
    String p = path.startsWith("/") ? path : "/" + path;
    for (var e : ENDPOINTS.entrySet()) {
      if (e.getKey().matcher(p).matches()) {
        return method + " " + e.getValue();
      }
    }
    return method + " other";
  }
}
