package dev.runnerguard.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.runnerguard.schemas.avro.CredentialAction;
import dev.runnerguard.schemas.avro.CredentialAuditEvent;
import dev.runnerguard.testing.KafkaTestResource;
import dev.runnerguard.token.app.AppCredentials;
import dev.runnerguard.token.app.PemKeys;
import dev.runnerguard.token.config.TokenRuntime;
import dev.runnerguard.token.spi.InstallationToken;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The token-service over real HTTP against the packaged github-sim and a real Kafka broker. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = GitHubSimResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TokenServiceIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Every non-2xx body the service answered, for the leak scan. */
  static final List<String> ERROR_BODIES = new CopyOnWriteArrayList<>();

  /** Every JIT config received. */
  static final List<String> JIT_CONFIGS = new CopyOnWriteArrayList<>();

  @TestHTTPResource("/")
  URL base;

  @Inject TokenRuntime runtime;

  @ConfigProperty(name = "runnerguard.internal.secret")
  String secret;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @ConfigProperty(name = "runnerguard.token.app-id")
  long appId;

  @ConfigProperty(name = "runnerguard.token.client-id")
  String clientId;

  String serviceToken(String s, String aud, Instant exp) throws Exception {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer("runner-orchestrator")
            .audience(aud)
            .issueTime(new Date())
            .expirationTime(Date.from(exp))
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(s.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  String token() throws Exception {
    return serviceToken(secret, "token-service", Instant.now().plusSeconds(120));
  }

  HttpResponse<String> call(String method, String path, String body, String auth) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base.toString()).resolve(path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json");
    if (auth != null) {
      b.header("Authorization", auth);
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      ERROR_BODIES.add(r.body());
    }
    return r;
  }

  HttpResponse<String> authed(String method, String path, String body) throws Exception {
    return call(method, path, body, "Bearer " + token());
  }

  static HttpResponse<String> sim(String method, String path, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(GitHubSimResource.sim.baseUri().resolve(path))
            .header("Content-Type", "application/json");
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String jitBody(String org, String name, List<String> labels) throws Exception {
    return JSON.writeValueAsString(
        Map.of(
            "org", org,
            "runnerName", name,
            "runnerGroupId", 1,
            "labels", labels,
            "workFolder", "_work"));
  }

  static double simCount(String endpoint) throws Exception {
    double sum = 0;
    Pattern p = Pattern.compile("^runnerguard_sim_requests_total\\{([^}]*)\\}\\s+([0-9.eE+-]+)");
    for (String line : GitHubSimResource.sim.metrics().split("\n")) {
      Matcher m = p.matcher(line);
      if (m.find() && m.group(1).contains("endpoint=\"" + endpoint + "\"")) {
        sum += Double.parseDouble(m.group(2));
      }
    }
    return sum;
  }

  JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  /**
   * The App JWT the service signs (its AppCredentials, the key file it is configured with) has
   * GitHub's claims, verifies with the App's public key as the sim publishes it, and the sim takes
   * it over HTTP; a JWT signed with another key is refused.
   */
  @Test
  @Order(0)
  void appJwtClaimsAndSignatureAreAcceptedByTheSimulator() throws Exception {
    AppCredentials app =
        new AppCredentials(
            appId, clientId, PemKeys.parsePrivateKey(Files.readString(GitHubSimResource.keyFile)));
    Instant now = Instant.now();
    String jwt = app.mintJwt(now);
    SignedJWT parsed = SignedJWT.parse(jwt);
    assertThat(parsed.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
    JWTClaimsSet claims = parsed.getJWTClaimsSet();
    assertThat(claims.getIssuer()).isEqualTo(clientId);
    assertThat(claims.getIssueTime().toInstant().getEpochSecond())
        .isEqualTo(now.minusSeconds(60).getEpochSecond());
    assertThat(
            Duration.between(
                claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()))
        .isLessThanOrEqualTo(Duration.ofMinutes(10))
        .isGreaterThan(Duration.ofMinutes(5));
    JsonNode apps = JSON.readTree(sim("GET", "/_sim/apps", null).body());
    String publicPem = null;
    for (JsonNode a : apps) {
      if (a.path("app_id").asLong() == appId) {
        publicPem = a.path("public_key_pem").asText();
      }
    }
    assertThat(publicPem).isNotNull();
    RSAPublicKey publicKey =
        (RSAPublicKey)
            KeyFactory.getInstance("RSA")
                .generatePublic(
                    new X509EncodedKeySpec(
                        Base64.getMimeDecoder()
                            .decode(publicPem.replaceAll("-----[A-Z ]+-----", ""))));
    assertThat(parsed.verify(new RSASSAVerifier(publicKey))).isTrue();

    long installation = GitHubSimResource.installations.get("octo-org");
    HttpResponse<String> ok =
        HTTP.send(
            HttpRequest.newBuilder(
                    GitHubSimResource.sim
                        .baseUri()
                        .resolve("/app/installations/" + installation + "/access_tokens"))
                .header("Authorization", "Bearer " + jwt)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(ok.statusCode()).isEqualTo(201);
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    String forged =
        new AppCredentials(appId, clientId, (RSAPrivateKey) g.generateKeyPair().getPrivate())
            .mintJwt(now);
    HttpResponse<String> refused =
        HTTP.send(
            HttpRequest.newBuilder(
                    GitHubSimResource.sim
                        .baseUri()
                        .resolve("/app/installations/" + installation + "/access_tokens"))
                .header("Authorization", "Bearer " + forged)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(401);
  }

  @Test
  @Order(1)
  void unauthenticatedCallsGet401Json() throws Exception {
    String path = "/internal/v1/orgs/octo-org/runners";
    List<String> bad =
        new ArrayList<>(
            List.of(
                "",
                "Bearer nonsense",
                "Basic dXNlcjpwYXNz",
                "Bearer " + serviceToken(secret, "token-service", Instant.now().minusSeconds(120)),
                "Bearer " + serviceToken(secret, "other", Instant.now().plusSeconds(60)),
                "Bearer "
                    + serviceToken(
                        "a-completely-different-secret-of-enough-length",
                        "token-service",
                        Instant.now().plusSeconds(60))));
    for (String auth : bad) {
      HttpResponse<String> r = call("GET", path, null, auth.isEmpty() ? null : auth);
      assertThat(r.statusCode()).as(auth).isEqualTo(401);
      assertThat(json(r).path("error").asText()).isEqualTo("unauthorized");
    }
    HttpResponse<String> post =
        call("POST", "/internal/v1/jit", jitBody("octo-org", "x", List.of("l")), null);
    assertThat(post.statusCode()).isEqualTo(401);
  }

  @Test
  @Order(2)
  void badInputGetsClear4xx() throws Exception {
    HttpResponse<String> unknown =
        authed("POST", "/internal/v1/jit", jitBody("nobody-org", "r1", List.of("self-hosted")));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).path("message").asText()).contains("nobody-org");

    HttpResponse<String> empty =
        authed("POST", "/internal/v1/jit", jitBody("octo-org", "r1", List.of()));
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(empty.body()).contains("labels must contain at least 1 label");

    HttpResponse<String> many =
        authed(
            "POST", "/internal/v1/jit", jitBody("octo-org", "r1", Collections.nCopies(101, "l")));
    assertThat(many.statusCode()).isEqualTo(400);
    assertThat(many.body()).contains("at most 100 labels, got 101");

    HttpResponse<String> name =
        authed("POST", "/internal/v1/jit", jitBody("octo-org", "bad name!", List.of("l")));
    assertThat(name.statusCode()).isEqualTo(400);
    assertThat(name.body()).contains("runnerName must be 1 to 64 characters");

    HttpResponse<String> notJson = authed("POST", "/internal/v1/jit", "{not json");
    assertThat(notJson.statusCode()).isEqualTo(400);

    assertThat(authed("GET", "/internal/v1/orgs/nobody-org/runners", null).statusCode())
        .isEqualTo(404);
    assertThat(authed("DELETE", "/internal/v1/orgs/octo-org/runners/abc", null).statusCode())
        .isEqualTo(400);
  }

  @Test
  @Order(3)
  void jitMintedRunnerAppearsInTheSimAndIsDeleted() throws Exception {
    HttpResponse<String> r =
        authed(
            "POST",
            "/internal/v1/jit",
            jitBody("octo-org", "rg-it-1", List.of("self-hosted", "rg")));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    long runnerId = json(r).path("runnerId").asLong();
    String config = json(r).path("encodedJitConfig").asText();
    JIT_CONFIGS.add(config);
    assertThat(config).isNotBlank();
    assertThat(sim("GET", "/_sim/runners", null).body()).contains("\"id\":" + runnerId);

    HttpResponse<String> list = authed("GET", "/internal/v1/orgs/octo-org/runners", null);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).contains("rg-it-1").doesNotContain(config);

    assertThat(
            authed("DELETE", "/internal/v1/orgs/octo-org/runners/" + runnerId, null).statusCode())
        .isEqualTo(204);
    assertThat(sim("GET", "/_sim/runners", null).body()).doesNotContain("\"id\":" + runnerId + ",");
    assertThat(
            authed("DELETE", "/internal/v1/orgs/octo-org/runners/" + runnerId, null).statusCode())
        .isEqualTo(404);
  }

  @Test
  @Order(4)
  void aRepositoryScopedNameConflictIsResolvedInTheRepository() throws Exception {
    String body =
        JSON.writeValueAsString(
            Map.of(
                "org", "octo-org",
                "repo", "app",
                "runnerName", "rg-repo-dup",
                "runnerGroupId", 1,
                "labels", List.of("self-hosted")));
    HttpResponse<String> first = authed("POST", "/internal/v1/jit", body);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    JIT_CONFIGS.add(json(first).path("encodedJitConfig").asText());
    double conflictsBefore = simStatus("POST generate_jitconfig", "409");
    HttpResponse<String> second = authed("POST", "/internal/v1/jit", body);
    assertThat(second.statusCode()).as(second.body()).isEqualTo(201);
    JIT_CONFIGS.add(json(second).path("encodedJitConfig").asText());
    assertThat(json(second).path("runnerId").asLong())
        .isNotEqualTo(json(first).path("runnerId").asLong());
    assertThat(simStatus("POST generate_jitconfig", "409")).isEqualTo(conflictsBefore + 1);
    JsonNode runners = JSON.readTree(sim("GET", "/_sim/runners", null).body());
    List<Long> named = new ArrayList<>();
    runners.forEach(
        n -> {
          if (n.path("name").asText().equals("rg-repo-dup")) {
            named.add(n.path("id").asLong());
          }
        });
    assertThat(named).containsExactly(json(second).path("runnerId").asLong());
  }

  @Test
  @Order(4)
  void nameConflictDeletesTheStaleRegistrationAndRetriesOnce() throws Exception {
    HttpResponse<String> first =
        authed("POST", "/internal/v1/jit", jitBody("octo-org", "rg-dup", List.of("self-hosted")));
    assertThat(first.statusCode()).isEqualTo(201);
    JIT_CONFIGS.add(json(first).path("encodedJitConfig").asText());
    double conflictsBefore = simStatus("POST generate_jitconfig", "409");
    HttpResponse<String> second =
        authed("POST", "/internal/v1/jit", jitBody("octo-org", "rg-dup", List.of("self-hosted")));
    assertThat(second.statusCode()).as(second.body()).isEqualTo(201);
    JIT_CONFIGS.add(json(second).path("encodedJitConfig").asText());
    long oldId = json(first).path("runnerId").asLong();
    long newId = json(second).path("runnerId").asLong();
    assertThat(newId).isNotEqualTo(oldId);
    assertThat(simStatus("POST generate_jitconfig", "409")).isEqualTo(conflictsBefore + 1);
    JsonNode runners = JSON.readTree(sim("GET", "/_sim/runners", null).body());
    List<Long> named = new ArrayList<>();
    runners.forEach(
        n -> {
          if (n.path("name").asText().equals("rg-dup")) {
            named.add(n.path("id").asLong());
          }
        });
    assertThat(named).containsExactly(newId);
  }

  static double simStatus(String endpoint, String status) throws Exception {
    double sum = 0;
    for (String line : GitHubSimResource.sim.metrics().split("\n")) {
      if (line.startsWith("runnerguard_sim_requests_total{")
          && line.contains("endpoint=\"" + endpoint + "\"")
          && line.contains("status=\"" + status + "\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  @Test
  @Order(5)
  void hundredConcurrentCallersCauseOneInstallationTokenRequest() throws Exception {
    double before = simCount("POST access_tokens");
    String t = token();
    ExecutorService pool = Executors.newFixedThreadPool(100);
    try {
      List<Callable<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        calls.add(
            () ->
                call("GET", "/internal/v1/orgs/other-org/runners", null, "Bearer " + t)
                    .statusCode());
      }
      for (Future<Integer> f : pool.invokeAll(calls)) {
        assertThat(f.get()).isEqualTo(200);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(simCount("POST access_tokens") - before).isEqualTo(1.0);
  }

  @Test
  @Order(6)
  void serverErrorsAreRetriedWithBackoffThenGiveUp() throws Exception {
    assertThat(sim("POST", "/_sim/faults", "{\"fail_next\":2,\"fail_status\":503}").statusCode())
        .isLessThan(300);
    HttpResponse<String> ok = authed("GET", "/internal/v1/orgs/octo-org/runners", null);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);

    sim("POST", "/_sim/faults", "{\"fail_next\":10,\"fail_status\":502}");
    try {
      HttpResponse<String> down = authed("GET", "/internal/v1/orgs/octo-org/runners", null);
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(json(down).path("error").asText()).isEqualTo("github_unavailable");
    } finally {
      sim("DELETE", "/_sim/faults", null);
    }
    String metrics = call("GET", "/q/metrics", null, null).body();
    assertThat(metrics)
        .contains("runnerguard_token_github_calls_total")
        .contains("outcome=\"server_error\"");
  }

  /**
   * Last of the GitHub calls on octo-org: after the 120 s rate limit the App is (rightly) skipped
   * until that reset, so octo-org calls answer 429 until then.
   */
  @Test
  @Order(8)
  void rateLimitIsHonouredThenBounded() throws Exception {
    sim("POST", "/_sim/faults", "{\"rate_limit_next\":1,\"retry_after\":2}");
    long t0 = System.nanoTime();
    HttpResponse<String> ok = authed("GET", "/internal/v1/orgs/octo-org/runners", null);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(ms).isGreaterThanOrEqualTo(1900);

    sim("POST", "/_sim/faults", "{\"rate_limit_next\":1,\"retry_after\":120}");
    try {
      long t1 = System.nanoTime();
      HttpResponse<String> limited = authed("GET", "/internal/v1/orgs/octo-org/runners", null);
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(json(limited).path("error").asText()).isEqualTo("github_rate_limited");
      assertThat((System.nanoTime() - t1) / 1_000_000).isLessThan(5000);
    } finally {
      sim("DELETE", "/_sim/faults", null);
    }
    String metrics = call("GET", "/q/metrics", null, null).body();
    assertThat(metrics).contains("runnerguard_token_github_rate_limit_remaining");
    assertThat(metrics).contains("outcome=\"rate_limited\"");
  }

  @Test
  @Order(7)
  void jobStatusAndCancel() throws Exception {
    HttpResponse<String> job =
        sim(
            "POST",
            "/_sim/jobs",
            "{\"repository\":\"octo-org/app\",\"visibility\":\"private\",\"labels\":[\"self-hosted\"],\"steps\":[\"true\"]}");
    assertThat(job.statusCode()).as(job.body()).isEqualTo(201);
    long jobId = json(job).path("id").asLong();
    long runId = json(job).path("run_id").asLong();
    HttpResponse<String> status =
        authed("GET", "/internal/v1/repos/octo-org/app/jobs/" + jobId, null);
    assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
    assertThat(json(status).path("status").asText()).isEqualTo("queued");

    HttpResponse<String> cancel =
        authed(
            "POST", "/internal/v1/repos/octo-org/app/runs/" + runId + "/cancel?force=true", null);
    assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);
    JsonNode after = json(authed("GET", "/internal/v1/repos/octo-org/app/jobs/" + jobId, null));
    assertThat(after.path("status").asText()).isEqualTo("completed");
    assertThat(after.path("conclusion").asText()).isEqualTo("cancelled");
    assertThat(authed("GET", "/internal/v1/repos/octo-org/app/jobs/999", null).statusCode())
        .isEqualTo(404);
  }

  @Test
  @Order(9)
  void auditEventsNameCredentialsAndNoSecretLeaksAnywhere() throws Exception {
    // Secrets: the App key body, every installation token the service holds, every JIT config.
    List<String> secrets = new ArrayList<>(LeakScan.pemBodyLines(GitHubSimResource.keyFile));
    List<InstallationToken> held = runtime.operations().heldInstallationTokens();
    assertThat(held)
        .extracting(InstallationToken::installationId)
        .contains(
            GitHubSimResource.installations.get("octo-org"),
            GitHubSimResource.installations.get("other-org"));
    held.forEach(t -> secrets.add(t.secret()));
    secrets.addAll(JIT_CONFIGS);
    assertThat(JIT_CONFIGS).hasSizeGreaterThanOrEqualTo(3);

    // Every record on every topic.
    LeakScan.Records records =
        LeakScan.allRecords(
            bootstrap,
            audits ->
                audits.stream().anyMatch(a -> a.getAction() == CredentialAction.JIT_CONFIG_MINTED)
                    && audits.stream()
                        .anyMatch(
                            a -> a.getAction() == CredentialAction.RUNNER_REGISTRATION_DELETED)
                    && audits.stream()
                        .anyMatch(a -> a.getAction() == CredentialAction.INSTALLATION_TOKEN_MINTED)
                    && audits.size() >= 6);
    List<CredentialAuditEvent> audits = records.audits();
    assertThat(audits)
        .extracting(CredentialAuditEvent::getAction)
        .contains(
            CredentialAction.JIT_CONFIG_MINTED,
            CredentialAction.RUNNER_REGISTRATION_DELETED,
            CredentialAction.INSTALLATION_TOKEN_MINTED);
    CredentialAuditEvent tokenEvent =
        audits.stream()
            .filter(a -> a.getAction() == CredentialAction.INSTALLATION_TOKEN_MINTED)
            .filter(
                a -> a.getInstallationId().equals(GitHubSimResource.installations.get("octo-org")))
            .findFirst()
            .orElseThrow();
    assertThat(tokenEvent.getCredentialRef()).hasSize(12).matches("[0-9a-f]{12}");
    assertThat(tokenEvent.getExpiresAt()).isNotNull();
    assertThat(audits.stream().filter(a -> a.getAction() == CredentialAction.JIT_CONFIG_MINTED))
        .allSatisfy(a -> assertThat(a.getRunnerId()).isNotBlank());

    List<String> haystacks = new ArrayList<>(records.texts());
    haystacks.add("metrics " + call("GET", "/q/metrics", null, null).body());
    haystacks.add("health " + call("GET", "/q/health", null, null).body());
    haystacks.addAll(ERROR_BODIES);
    Path log = Path.of("target/token-service-test.log");
    assertThat(log).exists();
    String logText = Files.readString(log);
    assertThat(logText).contains("JIT config minted for runner");
    haystacks.add("log " + logText);
    assertThat(ERROR_BODIES).isNotEmpty();
    LeakScan.assertNoSecretIn(secrets, haystacks);
  }
}
