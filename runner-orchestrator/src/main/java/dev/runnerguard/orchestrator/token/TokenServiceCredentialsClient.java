package dev.runnerguard.orchestrator.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.runnerguard.orchestrator.spi.CredentialsClient;
import dev.runnerguard.orchestrator.spi.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * {@link CredentialsClient} over the token-service's internal API ({@code /internal/v1}), signed
 * with short-lived HS256 service tokens ({@code iss=runner-orchestrator}, {@code
 * aud=token-service}, 2 minutes). Error messages carry the token-service's error code and message,
 * never a response body that could hold a credential, and never the JIT config.
 */
public final class TokenServiceCredentialsClient implements CredentialsClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final byte[] secret;
  private final HttpClient http;
  private final Duration timeout;
  private final Clock clock;

  public TokenServiceCredentialsClient(URI base, byte[] secret, Duration timeout, Clock clock) {
    if (secret.length < 32) {
      throw new IllegalArgumentException("the internal service secret must be at least 32 bytes");
    }
    this.base = base;
    this.secret = secret.clone();
    this.timeout = timeout;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  String serviceToken() {
    long now = clock.millis();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer("runner-orchestrator")
            .audience("token-service")
            .issueTime(new Date(now))
            .expirationTime(new Date(now + 120_000))
            .jwtID(UUID.randomUUID().toString())
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(new MACSigner(secret));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a service token: " + e.getMessage());
    }
    return jwt.serialize();
  }

  @Override
  public MintedJit mintJit(JitRequest request) throws CredentialsException {
    ObjectNode body = JSON.createObjectNode();
    body.put("org", request.org());
    if (request.repository() != null) {
      body.put("repo", request.repository());
    }
    body.put("runnerName", request.runnerName());
    body.put("runnerGroupId", request.runnerGroupId());
    body.putArray("labels")
        .addAll(
            request.labels().stream().map(JSON::valueToTree).map(JsonNode.class::cast).toList());
    if (request.workFolder() != null) {
      body.put("workFolder", request.workFolder());
    }
    JsonNode answer = call("POST", "/internal/v1/jit", body.toString(), "mint JIT config", 201);
    String encoded = answer.path("encodedJitConfig").asText(null);
    if (encoded == null || encoded.isEmpty()) {
      throw new CredentialsException(
          "mint JIT config: the token-service answered no config", true, 502);
    }
    return new MintedJit(
        answer.path("runnerId").asLong(),
        answer.path("runnerName").asText(request.runnerName()),
        new Secret(encoded));
  }

  @Override
  public void deleteRunner(String org, long githubRunnerId) throws CredentialsException {
    call(
        "DELETE",
        "/internal/v1/orgs/" + enc(org) + "/runners/" + githubRunnerId,
        null,
        "delete runner registration",
        204);
  }

  @Override
  public JobStatus jobStatus(String repository, long jobId) throws CredentialsException {
    JsonNode a =
        call(
            "GET",
            "/internal/v1/repos/" + repo(repository) + "/jobs/" + jobId,
            null,
            "job status",
            200);
    return new JobStatus(
        jobId,
        a.path("status").asText(null),
        a.path("conclusion").isNull() ? null : a.path("conclusion").asText(null),
        a.path("runnerName").isNull() ? null : a.path("runnerName").asText(null));
  }

  @Override
  public void cancelRun(String repository, long runId, boolean force) throws CredentialsException {
    call(
        "POST",
        "/internal/v1/repos/" + repo(repository) + "/runs/" + runId + "/cancel?force=" + force,
        "{}",
        "cancel run",
        202);
  }

  @Override
  public List<RegisteredRunner> listRunners(String org) throws CredentialsException {
    JsonNode a =
        call("GET", "/internal/v1/orgs/" + enc(org) + "/runners", null, "list runners", 200);
    List<RegisteredRunner> runners = new ArrayList<>();
    for (JsonNode r : a.path("runners")) {
      runners.add(
          new RegisteredRunner(
              r.path("id").asLong(),
              r.path("name").asText(),
              r.path("status").asText(),
              r.path("busy").asBoolean()));
    }
    return runners;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String repo(String fullName) {
    int slash = fullName.indexOf('/');
    if (slash <= 0) {
      throw new IllegalArgumentException("repository must be owner/name");
    }
    return enc(fullName.substring(0, slash)) + "/" + enc(fullName.substring(slash + 1));
  }

  private JsonNode call(String method, String path, String body, String what, int expected)
      throws CredentialsException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(timeout)
            .header("Authorization", "Bearer " + serviceToken())
            .header("Accept", "application/json");
    if (body != null) {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> response;
    try {
      response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new CredentialsException(
          what + ": token-service unreachable (" + e.getClass().getSimpleName() + ")", true, 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CredentialsException(what + ": interrupted", true, 0);
    }
    int status = response.statusCode();
    if (status == expected || (status >= 200 && status < 300)) {
      String text = response.body();
      if (text == null || text.isBlank()) {
        return JSON.createObjectNode();
      }
      try {
        return JSON.readTree(text);
      } catch (IOException e) {
        throw new CredentialsException(
            what + ": the token-service answered malformed JSON", true, status);
      }
    }
    String code = "";
    String message = "";
    try {
      JsonNode error = JSON.readTree(response.body());
      code = error.path("error").asText("");
      message = error.path("message").asText("");
    } catch (IOException | RuntimeException ignored) {
      // not JSON: report the status only
    }
    boolean retriable = status == 429 || status >= 500 || status == 408;
    long retryAfter = 0;
    String header = response.headers().firstValue("Retry-After").orElse(null);
    if (header != null) {
      try {
        retryAfter = Math.min(Long.parseLong(header.trim()), 3600) * 1000;
      } catch (NumberFormatException ignored) {
        // an HTTP date: use the orchestrator's own backoff
      }
    }
    throw new CredentialsException(
        what
            + ": token-service answered "
            + status
            + (code.isEmpty() ? "" : " " + code)
            + (message.isEmpty() ? "" : ": " + truncate(message)),
        retriable,
        status,
        retryAfter);
  }

  private static String truncate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }
}
