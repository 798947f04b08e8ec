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
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * GitHub over java.net.http: bounded concurrency (semaphore), retry of 5xx and I/O errors with
 * jittered exponential backoff, rate limits honoured (retry-after, x-ratelimit-reset; bounded
 * wait), metrics per endpoint and outcome and the remaining rate limit per App. Never logs or
 * throws a credential or a response body.
 */
public final class HttpGitHubClient implements GitHubClient {
  private static final Logger LOG = Logger.getLogger(HttpGitHubClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Settings of the client. */
  public record Settings(
      URI baseUrl,
      int maxConcurrency,
      int maxAttempts,
      Duration maxRateLimitWait,
      Duration requestTimeout,
      long appId) {}

  /** How the client waits (replaceable in tests). */
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final Settings settings;
  private final HttpClient http;
  private final Backoff backoff;
  private final Semaphore permits;
  private final Clock clock;
  private final Sleeper sleeper;
  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final AtomicLong remaining = new AtomicLong(-1);

  public HttpGitHubClient(
      Settings settings, Backoff backoff, MeterRegistry registry, Clock clock, Sleeper sleeper) {
    this.settings = settings;
    this.backoff = backoff;
    this.registry = registry;
    this.clock = clock;
    this.sleeper = sleeper;
    this.permits = new Semaphore(Math.max(1, settings.maxConcurrency()), true);
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    Gauge.builder("runnerguard.token.github.rate_limit_remaining", remaining, AtomicLong::get)
        .description("x-ratelimit-remaining of the last GitHub answer, per App (-1 = unknown)")
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
    List<RunnerInfo> out = new ArrayList<>();
    for (int page = 1; page <= 100; page++) {
      String q = "?per_page=100&page=" + page;
      if (nameOrNull != null) {
        q += "&name=" + URLEncoder.encode(nameOrNull, StandardCharsets.UTF_8);
      }
      JsonNode body =
          call(
              "runners",
              "GET",
              "/orgs/" + seg(org) + "/actions/runners" + q,
              token.secret(),
              null,
              200);
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
      GitHubException failure;
      Duration wait;
      try {
        HttpResponse<String> resp = send(method, path, credential, body);
        recordRemaining(resp);
        int status = resp.statusCode();
        if (status == expected || (status >= 200 && status < 300)) {
          count(endpoint, "success");
          String text = resp.body();
          return text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        }
        Optional<Duration> rl =
            Backoff.rateLimitWait(
                resp.headers().firstValue("retry-after").orElse(null),
                resp.headers().firstValue("x-ratelimit-remaining").orElse(null),
                resp.headers().firstValue("x-ratelimit-reset").orElse(null),
                clock.instant());
        boolean rateLimited = (status == 403 || status == 429) && rl.isPresent();
        String message = endpoint + ": GitHub answered " + status + githubMessage(resp.body());
        if (rateLimited) {
          count(endpoint, "rate_limited");
          failure = new GitHubException(message, status, true, true, rl.get());
          wait = rl.get();
        } else if (status >= 500) {
          count(endpoint, "server_error");
          failure = new GitHubException(message, status, true, false, null);
          wait = backoff.delay(attempt);
        } else {
          count(endpoint, "client_error");
          throw new GitHubException(message, status, false, false, null);
        }
      } catch (IOException e) {
        count(endpoint, "io_error");
        failure =
            new GitHubException(
                endpoint + ": I/O error talking to GitHub (" + e.getClass().getSimpleName() + ")",
                0,
                true,
                false,
                null);
        wait = backoff.delay(attempt);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GitHubException(endpoint + ": interrupted", 0, true, false, null);
      }
      if (attempt >= settings.maxAttempts()) {
        throw failure;
      }
      if (wait.compareTo(settings.maxRateLimitWait()) > 0) {
        LOG.warnf(
            "%s: GitHub asks to wait %ss, more than the bound %ss; giving up",
            endpoint, wait.toSeconds(), settings.maxRateLimitWait().toSeconds());
        throw failure;
      }
      LOG.infof(
          "%s: attempt %d failed (status %d%s), retrying in %d ms",
          endpoint,
          attempt,
          failure.status(),
          failure.rateLimited() ? ", rate limited" : "",
          wait.toMillis());
      try {
        sleeper.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw failure;
      }
    }
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

  private void recordRemaining(HttpResponse<String> resp) {
    resp.headers()
        .firstValue("x-ratelimit-remaining")
        .ifPresent(
            v -> {
              try {
                remaining.set(Long.parseLong(v.trim()));
              } catch (NumberFormatException e) {
                // ignore
              }
            });
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
