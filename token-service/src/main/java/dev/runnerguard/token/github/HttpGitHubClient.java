package dev.runnerguard.token.github;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.token.spi.GitHubClient;
import dev.runnerguard.token.spi.GitHubException;
import dev.runnerguard.token.spi.InstallationToken;
import dev.runnerguard.token.spi.JitConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.jboss.logging.Logger;

/**
 * GitHub over java.net.http for one App: bounded concurrency (a semaphore shared by all Apps), the
 * circuit breaker of the base URL (shared), retry of 5xx and I/O errors with jittered exponential
 * backoff, metrics per endpoint and outcome and the App's remaining rate limit. A rate limit
 * (403/429 with retry-after, or remaining 0 and a reset) is not waited out here: it is thrown at
 * once with the wait, so the caller ({@code apps.AppRouter}) can use another App or wait. Never
 * logs or throws a credential or a response body.
 */
public final class HttpGitHubClient implements GitHubClient {
  private static final Logger LOG = Logger.getLogger(HttpGitHubClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What GitHub asks when a secondary limit answer names no wait ("wait at least a minute"). */
  static final Duration DEFAULT_SECONDARY_WAIT = Duration.ofSeconds(60);

  /** Settings of the client. */
  public record Settings(URI baseUrl, int maxAttempts, Duration requestTimeout, long appId) {}

  /** What the clients of all Apps share: the HTTP client, the concurrency bound, the breaker. */
  public record Shared(HttpClient http, Semaphore permits, CircuitBreaker breaker) {
    public static Shared create(int maxConcurrency, CircuitBreaker breaker) {
      return new Shared(
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .followRedirects(HttpClient.Redirect.NEVER)
              .build(),
          new Semaphore(Math.max(1, maxConcurrency), true),
          breaker);
    }
  }

  /** How the client waits (replaceable in tests). */
  public interface Sleeper {
    /**
     * {@code Thread.sleep} for at least {@code d}: whole milliseconds, rounded up. Truncated, a
     * wait until an App's rate limit ends (1999.6 ms) woke just before it; the router then found
     * the App still limited with "0 ms" left, spent its attempts on zero-length waits and gave up
     * (TokenServiceIT.rateLimitIsHonouredThenBounded failed once in CI, 2026-11-29).
     */
    Sleeper THREAD =
        d -> {
          long millis = d.toMillis();
          Thread.sleep(d.compareTo(Duration.ofMillis(millis)) > 0 ? millis + 1 : millis);
        };

    void sleep(Duration d) throws InterruptedException;
  }

  private final Settings settings;
  private final HttpClient http;
  private final Backoff backoff;
  private final Semaphore permits;
  private final CircuitBreaker breaker;
  private final Clock clock;
  private final Sleeper sleeper;
  private final MeterRegistry registry;
  private final RateLimitState rate;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  public HttpGitHubClient(
      Settings settings,
      Backoff backoff,
      MeterRegistry registry,
      Clock clock,
      Sleeper sleeper,
      Shared shared,
      RateLimitState rate) {
    this.settings = settings;
    this.backoff = backoff;
    this.registry = registry;
    this.clock = clock;
    this.sleeper = sleeper;
    this.permits = shared.permits();
    this.http = shared.http();
    this.breaker = shared.breaker();
    this.rate = rate;
    Gauge.builder("runnerguard.token.github.rate_limit_remaining", rate, RateLimitState::remaining)
        .description("x-ratelimit-remaining of the App's last GitHub answer (-1 = unknown)")
        .tag("app_id", Long.toString(settings.appId()))
        .register(registry);
  }

  @Override
  public InstallationToken createInstallationToken(long installationId, String appJwt) {
    JsonNode body =
        call(
            "access_tokens",
            "POST",
            "/app/installations/" + installationId + "/access_tokens",
            appJwt,
            "{}",
            201);
    String token = body.path("token").asText(null);
    String expires = body.path("expires_at").asText(null);
    if (token == null || expires == null) {
      throw new GitHubException(
          "access_tokens: answer without token or expires_at", 201, false, false, null);
    }
    Map<String, String> perms = new LinkedHashMap<>();
    body.path("permissions")
        .fields()
        .forEachRemaining(e -> perms.put(e.getKey(), e.getValue().asText()));
    return new InstallationToken(installationId, token, Instant.parse(expires), perms);
  }

  @Override
  public JitConfig generateJitConfig(
      InstallationToken token, String org, String repo, JitSpec spec) {
    ObjectNode req = JSON.createObjectNode();
    req.put("name", spec.name());
    req.put("runner_group_id", spec.runnerGroupId());
    var labels = req.putArray("labels");
    spec.labels().forEach(labels::add);
    req.put("work_folder", spec.workFolder());
    String path =
        repo == null
            ? "/orgs/" + seg(org) + "/actions/runners/generate-jitconfig"
            : "/repos/" + seg(org) + "/" + seg(repo) + "/actions/runners/generate-jitconfig";
    JsonNode body = call("generate_jitconfig", "POST", path, token.secret(), req.toString(), 201);
    JsonNode runner = body.path("runner");
    String encoded = body.path("encoded_jit_config").asText(null);
    if (!runner.path("id").canConvertToLong() || encoded == null) {
      throw new GitHubException(
          "generate_jitconfig: answer without runner id or config", 201, false, false, null);
    }
    return new JitConfig(
        runner.get("id").asLong(), runner.path("name").asText(spec.name()), encoded);
  }

  @Override
  public List<RunnerInfo> listRunners(InstallationToken token, String org, String nameOrNull) {
    return listRunnersAt(token, "/orgs/" + seg(org) + "/actions/runners", nameOrNull);
  }

  @Override
  public List<RunnerInfo> listRepoRunners(
      InstallationToken token, String owner, String repo, String nameOrNull) {
    return listRunnersAt(
        token, "/repos/" + seg(owner) + "/" + seg(repo) + "/actions/runners", nameOrNull);
  }

  @Override
  public void deleteRepoRunner(InstallationToken token, String owner, String repo, long runnerId) {
    call(
        "delete_runner",
        "DELETE",
        "/repos/" + seg(owner) + "/" + seg(repo) + "/actions/runners/" + runnerId,
        token.secret(),
        null,
        204);
  }

  private List<RunnerInfo> listRunnersAt(InstallationToken token, String path, String nameOrNull) {
    List<RunnerInfo> out = new ArrayList<>();
    for (int page = 1; page <= 100; page++) {
      String q = "?per_page=100&page=" + page;
      if (nameOrNull != null) {
        q += "&name=" + URLEncoder.encode(nameOrNull, StandardCharsets.UTF_8);
      }
      JsonNode body = call("runners", "GET", path + q, token.secret(), null, 200);
      JsonNode runners = body.path("runners");
      for (JsonNode r : runners) {
        List<String> labels = new ArrayList<>();
        r.path("labels").forEach(l -> labels.add(l.path("name").asText(l.asText())));
        out.add(
            new RunnerInfo(
                r.path("id").asLong(),
                r.path("name").asText(),
                r.path("status").asText(),
                r.path("busy").asBoolean(),
                labels));
      }
      long total = body.path("total_count").asLong(out.size());
      if (runners.size() < 100 || out.size() >= total) {
        break;
      }
    }
    return out;
  }

  @Override
  public void deleteRunner(InstallationToken token, String org, long runnerId) {
    call(
        "delete_runner",
        "DELETE",
        "/orgs/" + seg(org) + "/actions/runners/" + runnerId,
        token.secret(),
        null,
        204);
  }

  @Override
  public JobInfo getJob(InstallationToken token, String owner, String repo, long jobId) {
    JsonNode b =
        call(
            "job",
            "GET",
            "/repos/" + seg(owner) + "/" + seg(repo) + "/actions/jobs/" + jobId,
            token.secret(),
            null,
            200);
    return new JobInfo(
        b.path("id").asLong(jobId),
        b.path("status").asText(null),
        b.path("conclusion").isNull() ? null : b.path("conclusion").asText(null),
        b.path("runner_name").isNull() ? null : b.path("runner_name").asText(null));
  }

  @Override
  public void cancelRun(
      InstallationToken token, String owner, String repo, long runId, boolean force) {
    call(
        force ? "force_cancel" : "cancel",
        "POST",
        "/repos/"
            + seg(owner)
            + "/"
            + seg(repo)
            + "/actions/runs/"
            + runId
            + (force ? "/force-cancel" : "/cancel"),
        token.secret(),
        "{}",
        202);
  }

  /** One logical call with retries; returns the parsed JSON body (empty object when none). */
  JsonNode call(
      String endpoint, String method, String path, String credential, String body, int expected) {
    int attempt = 0;
    while (true) {
      attempt++;
      CircuitBreaker.Admission admission = breaker.acquire();
      if (!admission.allowed()) {
        count(endpoint, "circuit_open");
        throw GitHubException.circuitOpen(
            endpoint
                + ": GitHub is unavailable (circuit open after repeated 5xx/I/O failures); retry in "
                + Math.max(1, ceilSeconds(admission.retryAfter()))
                + " s",
            admission.retryAfter());
      }
      GitHubException failure;
      HttpResponse<String> resp;
      try {
        resp = send(method, path, credential, body);
      } catch (IOException e) {
        breaker.failure(admission);
        count(endpoint, "io_error");
        failure =
            new GitHubException(
                endpoint + ": I/O error talking to GitHub (" + e.getClass().getSimpleName() + ")",
                0,
                true,
                false,
                null);
        retryOrThrow(endpoint, attempt, failure);
        continue;
      } catch (InterruptedException e) {
        breaker.release(admission);
        Thread.currentThread().interrupt();
        throw new GitHubException(endpoint + ": interrupted", 0, true, false, null);
      }
      rate.observe(
          resp.headers().firstValue("x-ratelimit-remaining").orElse(null),
          resp.headers().firstValue("x-ratelimit-reset").orElse(null));
      int status = resp.statusCode();
      if (status >= 500) {
        breaker.failure(admission);
        count(endpoint, "server_error");
        failure =
            new GitHubException(
                endpoint + ": GitHub answered " + status + githubMessage(resp.body()),
                status,
                true,
                false,
                null);
        retryOrThrow(endpoint, attempt, failure);
        continue;
      }
      breaker.success(admission);
      if (status == expected || (status >= 200 && status < 300)) {
        count(endpoint, "success");
        String text = resp.body();
        try {
          return text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (IOException e) {
          throw new GitHubException(
              endpoint + ": GitHub answered " + status + " with a body that is not JSON",
              status,
              false,
              false,
              null);
        }
      }
      String message = endpoint + ": GitHub answered " + status + githubMessage(resp.body());
      Optional<Duration> rl = rateLimitWait(resp, status, message);
      if (rl.isPresent()) {
        count(endpoint, "rate_limited");
        throw new GitHubException(message, status, true, true, rl.get());
      }
      count(endpoint, "client_error");
      throw new GitHubException(message, status, false, false, null);
    }
  }

  /**
   * The wait a 403/429 asks for: retry-after, else the reset when remaining is 0, else (a secondary
   * limit that names no wait: a 429, or a 403 whose message speaks of a rate limit) one minute.
   */
  private Optional<Duration> rateLimitWait(HttpResponse<String> resp, int status, String message) {
    if (status != 403 && status != 429) {
      return Optional.empty();
    }
    Optional<Duration> rl =
        Backoff.rateLimitWait(
            resp.headers().firstValue("retry-after").orElse(null),
            resp.headers().firstValue("x-ratelimit-remaining").orElse(null),
            resp.headers().firstValue("x-ratelimit-reset").orElse(null),
            clock.instant());
    if (rl.isPresent()) {
      return rl;
    }
    if (status == 429 || message.toLowerCase(java.util.Locale.ROOT).contains("rate limit")) {
      return Optional.of(DEFAULT_SECONDARY_WAIT);
    }
    return Optional.empty();
  }

  /** After a retriable failure: throws it when out of attempts, else waits the backoff. */
  private void retryOrThrow(String endpoint, int attempt, GitHubException failure) {
    if (attempt >= settings.maxAttempts()) {
      throw failure;
    }
    if (breaker.state() == CircuitBreaker.State.OPEN) {
      return; // the next acquire refuses at once: no point in waiting
    }
    Duration wait = backoff.delay(attempt);
    LOG.infof(
        "%s: attempt %d failed (status %d), retrying in %d ms",
        endpoint, attempt, failure.status(), wait.toMillis());
    try {
      sleeper.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure;
    }
  }

  static long ceilSeconds(Duration d) {
    long s = d.getSeconds();
    return d.getNano() > 0 ? s + 1 : s;
  }

  private HttpResponse<String> send(String method, String path, String credential, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base() + path))
            .timeout(settings.requestTimeout())
            .header("Accept", "application/vnd.github+json, application/json")
            .header("X-GitHub-Api-Version", "2022-11-28")
            .header("User-Agent", "runnerguard-token-service")
            .header("Authorization", "Bearer " + credential);
    if (body != null) {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    permits.acquire();
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } finally {
      permits.release();
    }
  }

  private String base() {
    String s = settings.baseUrl().toString();
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  private void count(String endpoint, String outcome) {
    counters
        .computeIfAbsent(
            endpoint + "|" + outcome,
            k ->
                Counter.builder("runnerguard.token.github.calls")
                    .description("GitHub REST calls by endpoint and outcome (attempts)")
                    .tag("endpoint", endpoint)
                    .tag("outcome", outcome)
                    .register(registry))
        .increment();
  }

  /** GitHub's short "message" field of an error body (never a credential), truncated. */
  private static String githubMessage(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    try {
      String m = JSON.readTree(body).path("message").asText("");
      if (m.isEmpty()) {
        return "";
      }
      m = m.replaceAll("[^\\x20-\\x7e]", "?");
      return " (" + (m.length() > 200 ? m.substring(0, 200) : m) + ")";
    } catch (IOException e) {
      return "";
    }
  }

  private static String seg(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
