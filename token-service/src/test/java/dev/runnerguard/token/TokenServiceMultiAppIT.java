package dev.runnerguard.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.runnerguard.schemas.avro.CredentialAction;
import dev.runnerguard.schemas.avro.CredentialAuditEvent;
import dev.runnerguard.testing.KafkaTestResource;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Several Apps, the circuit breaker and the budgets over real HTTP: github-sim with two Apps on
 * octo-org ({@link MultiAppSimResource}), real Kafka, then the leak scan with both keys.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = MultiAppSimResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TokenServiceMultiAppIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final List<String> ERROR_BODIES = new CopyOnWriteArrayList<>();
  static final List<String> JIT_CONFIGS = new CopyOnWriteArrayList<>();

  @TestHTTPResource("/")
  URL base;

  @Inject TokenRuntime runtime;

  @ConfigProperty(name = "runnerguard.internal.secret")
  String secret;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  String token() throws Exception {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer("runner-orchestrator")
            .audience("token-service")
            .issueTime(new Date())
            .expirationTime(Date.from(Instant.now().plusSeconds(120)))
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  HttpResponse<String> call(String method, String path, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base.toString()).resolve(path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json");
    if (path.startsWith("/internal")) {
      b.header("Authorization", "Bearer " + token());
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

  HttpResponse<String> mint(String org, String name) throws Exception {
    HttpResponse<String> r =
        call(
            "POST",
            "/internal/v1/jit",
            JSON.writeValueAsString(
                Map.of(
                    "org",
                    org,
                    "runnerName",
                    name,
                    "runnerGroupId",
                    1,
                    "labels",
                    List.of("self-hosted", "rg"))));
    if (r.statusCode() == 201) {
      JIT_CONFIGS.add(JSON.readTree(r.body()).path("encodedJitConfig").asText());
    }
    return r;
  }

  static HttpResponse<String> sim(String method, String path, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(MultiAppSimResource.sim.baseUri().resolve(path))
            .header("Content-Type", "application/json");
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sum of runnerguard_sim_requests_total for an endpoint (and status, when given). */
  static double simCount(String endpoint, String status) throws Exception {
    double sum = 0;
    Pattern p = Pattern.compile("^runnerguard_sim_requests_total\\{([^}]*)\\}\\s+([0-9.eE+-]+)");
    for (String line : MultiAppSimResource.sim.metrics().split("\n")) {
      Matcher m = p.matcher(line);
      if (m.find()
          && m.group(1).contains("endpoint=\"" + endpoint + "\"")
          && (status == null || m.group(1).contains("status=\"" + status + "\""))) {
        sum += Double.parseDouble(m.group(2));
      }
    }
    return sum;
  }

  /** A sample of the service's /q/metrics whose labels contain all of {@code labels}. */
  double metric(String name, String... labels) throws Exception {
    Pattern p = Pattern.compile("^" + name + "\\{([^}]*)\\}\\s+([0-9.eE+-]+)");
    for (String line : call("GET", "/q/metrics", null).body().split("\n")) {
      Matcher m = p.matcher(line);
      if (m.find() && List.of(labels).stream().allMatch(l -> m.group(1).contains(l))) {
        return Double.parseDouble(m.group(2));
      }
    }
    return Double.NaN;
  }

  String remainingLines() throws Exception {
    StringBuilder b = new StringBuilder();
    for (String line : call("GET", "/q/metrics", null).body().split("\n")) {
      if (line.contains("rate_limit_remaining")) {
        b.append(line).append('\n');
      }
    }
    return b.toString();
  }

  double remainingGauge(long appId) throws Exception {
    return metric("runnerguard_token_github_rate_limit_remaining", "app_id=\"" + appId + "\"");
  }

  @Test
  @Order(1)
  void bothAppsServeTheOrgInTurnAndEachHasItsRemainingGauge() throws Exception {
    assertThat(call("GET", "/q/health/ready", null).statusCode()).isEqualTo(200);
    // Both unknown (full): the first two mints go to one App each.
    assertThat(mint("octo-org", "multi-1").statusCode()).isEqualTo(201);
    assertThat(mint("octo-org", "multi-2").statusCode()).isEqualTo(201);
    assertThat(call("GET", "/internal/v1/orgs/other-org/runners", null).statusCode())
        .isEqualTo(200);
    assertThat(remainingGauge(MultiAppSimResource.blueAppId)).as(remainingLines()).isGreaterThan(0);
    assertThat(remainingGauge(MultiAppSimResource.greenAppId))
        .as(remainingLines())
        .isGreaterThan(0);
    List<InstallationToken> held = runtime.operations().heldInstallationTokens();
    assertThat(held)
        .extracting(InstallationToken::installationId)
        .contains(MultiAppSimResource.greenInstallation);
    assertThat(held).hasSize(3); // blue on octo-org and other-org, green on octo-org
  }

  @Test
  @Order(2)
  void aRateLimitedAppIsSkippedAndCallsGoToTheOther() throws Exception {
    // In the sim: green is out of requests for 120 s; blue has 50 left, so the service (which
    // chooses by the last remaining it saw) tries green at most once more.
    assertThat(
            sim(
                    "POST",
                    "/_sim/faults",
                    "{\"rate_limit_app\":{\"app_id\":"
                        + MultiAppSimResource.greenAppId
                        + ",\"remaining\":0,\"reset_in\":120}}")
                .statusCode())
        .isEqualTo(200);
    sim(
        "POST",
        "/_sim/faults",
        "{\"rate_limit_app\":{\"app_id\":"
            + MultiAppSimResource.blueAppId
            + ",\"remaining\":50,\"reset_in\":600}}");
    double limitedBefore = simCount("GET runners", "403");
    double okBefore = simCount("GET runners", "200");
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> r = call("GET", "/internal/v1/orgs/octo-org/runners", null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    // Green answered 403 once (the first time it was chosen), then was skipped: every call
    // answered 200 from blue, none waited the 120 s (that would be beyond the 10 s bound: 429).
    assertThat(simCount("GET runners", "403") - limitedBefore).isEqualTo(1.0);
    assertThat(simCount("GET runners", "200") - okBefore).isEqualTo(6.0);
    assertThat(remainingGauge(MultiAppSimResource.greenAppId)).isEqualTo(0.0);
    assertThat(remainingGauge(MultiAppSimResource.blueAppId))
        .as(remainingLines())
        .isBetween(1.0, 50.0);
    // Mints go to blue as well.
    HttpResponse<String> m = mint("octo-org", "multi-3");
    assertThat(m.statusCode()).as(m.body()).isEqualTo(201);
  }

  @Test
  @Order(3)
  void beyondTheContentBudgetCallersGet429WithRetryAfterAndGitHubIsNotCalled() throws Exception {
    // 4 content calls per minute per App; green is rate limited, so blue alone serves octo-org.
    HttpResponse<String> refused = null;
    for (int i = 0; i < 8 && refused == null; i++) {
      double before = simCount("POST generate_jitconfig", null);
      HttpResponse<String> r = mint("octo-org", "budget-" + i);
      if (r.statusCode() == 429) {
        refused = r;
        assertThat(simCount("POST generate_jitconfig", null)).isEqualTo(before);
      } else {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      }
    }
    assertThat(refused).as("a mint beyond the budget").isNotNull();
    JsonNode body = JSON.readTree(refused.body());
    assertThat(body.path("error").asText()).isEqualTo("github_budget_exhausted");
    assertThat(body.path("message").asText()).contains("generate_jitconfig").contains("octo-org");
    assertThat(refused.headers().firstValue("Retry-After").map(Long::parseLong).orElse(0L))
        .isBetween(1L, 60L);
    assertThat(
            metric(
                "runnerguard_token_github_budget_rejections_total",
                "endpoint=\"generate_jitconfig\""))
        .isGreaterThanOrEqualTo(1.0);
    // Reads have their own budget.
    assertThat(call("GET", "/internal/v1/orgs/octo-org/runners", null).statusCode()).isEqualTo(200);
  }

  @Test
  @Order(4)
  void theCircuitOpensAfterRepeatedFailuresAnswersFastThenClosesAfterRecovery() throws Exception {
    assertThat(metric("runnerguard_token_github_circuit_state")).isEqualTo(0.0);
    sim("POST", "/_sim/faults", "{\"fail_next\":100,\"fail_status\":502}");
    double failedBefore = simCount("GET runners", "502");
    HttpResponse<String> first = call("GET", "/internal/v1/orgs/other-org/runners", null);
    assertThat(first.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(first.body()).path("error").asText()).isEqualTo("github_unavailable");
    // Threshold 3: the third failed attempt opened the circuit, the fourth was never sent.
    assertThat(simCount("GET runners", "502") - failedBefore).isEqualTo(3.0);
    assertThat(first.headers().firstValue("Retry-After")).isPresent();

    double sentBefore = simCount("GET runners", null);
    HttpResponse<String> fast = call("GET", "/internal/v1/orgs/other-org/runners", null);
    assertThat(fast.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(fast.body()).path("error").asText()).isEqualTo("github_unavailable");
    assertThat(JSON.readTree(fast.body()).path("message").asText()).contains("circuit open");
    assertThat(fast.headers().firstValue("Retry-After").map(Long::parseLong).orElse(0L))
        .isBetween(1L, 2L);
    assertThat(simCount("GET runners", null)).isEqualTo(sentBefore); // GitHub not called
    assertThat(metric("runnerguard_token_github_circuit_state")).isEqualTo(1.0);
    HttpResponse<String> ready = call("GET", "/q/health/ready", null);
    assertThat(ready.statusCode()).isEqualTo(200); // GitHub is down, not the service
    assertThat(ready.body().replaceAll("\\s", "")).contains("\"circuit\":\"open\"");

    // GitHub recovers; after the cooldown the trial call succeeds and the circuit closes.
    sim("DELETE", "/_sim/faults", null);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    int status = 0;
    while (System.nanoTime() < deadline) {
      status = call("GET", "/internal/v1/orgs/other-org/runners", null).statusCode();
      if (status == 200) {
        break;
      }
      assertThat(status).isEqualTo(503);
      Thread.sleep(200);
    }
    assertThat(status).isEqualTo(200);
    assertThat(metric("runnerguard_token_github_circuit_state")).isEqualTo(0.0);
    assertThat(call("GET", "/q/health/ready", null).body().replaceAll("\\s", ""))
        .contains("\"circuit\":\"closed\"");
    assertThat(
            metric(
                "runnerguard_token_github_calls_total",
                "endpoint=\"runners\"",
                "outcome=\"circuit_open\""))
        .isGreaterThanOrEqualTo(1.0);
    String log = Files.readString(Path.of("target/token-service-test.log"));
    assertThat(log).contains("circuit CLOSED -> OPEN").contains("circuit HALF_OPEN -> CLOSED");
  }

  @Test
  @Order(5)
  void noSecretOfEitherAppLeaksAnywhere() throws Exception {
    List<String> secrets = new ArrayList<>();
    secrets.addAll(LeakScan.pemBodyLines(MultiAppSimResource.blueKey));
    secrets.addAll(LeakScan.pemBodyLines(MultiAppSimResource.greenKey));
    List<InstallationToken> held = runtime.operations().heldInstallationTokens();
    assertThat(held).hasSize(3);
    held.forEach(t -> secrets.add(t.secret()));
    assertThat(JIT_CONFIGS).hasSizeGreaterThanOrEqualTo(4);
    secrets.addAll(JIT_CONFIGS);

    long blue = MultiAppSimResource.blueAppId;
    long green = MultiAppSimResource.greenAppId;
    LeakScan.Records records =
        LeakScan.allRecords(
            bootstrap,
            audits ->
                audits.stream()
                        .filter(a -> a.getAction() == CredentialAction.JIT_CONFIG_MINTED)
                        .map(CredentialAuditEvent::getAppId)
                        .distinct()
                        .count()
                    == 2);
    // The audit events name the App each credential came from, never the credential.
    assertThat(records.audits())
        .filteredOn(a -> a.getAction() == CredentialAction.JIT_CONFIG_MINTED)
        .extracting(CredentialAuditEvent::getAppId)
        .contains(blue, green);
    assertThat(records.audits())
        .filteredOn(a -> a.getAction() == CredentialAction.INSTALLATION_TOKEN_MINTED)
        .extracting(CredentialAuditEvent::getAppId)
        .contains(blue, green);

    List<String> haystacks = new ArrayList<>(records.texts());
    haystacks.add("metrics " + call("GET", "/q/metrics", null).body());
    haystacks.add("health " + call("GET", "/q/health", null).body());
    haystacks.addAll(ERROR_BODIES);
    String log = Files.readString(Path.of("target/token-service-test.log"));
    assertThat(log).contains("with GitHub App " + green);
    haystacks.add("log " + log);
    assertThat(ERROR_BODIES).isNotEmpty();
    LeakScan.assertNoSecretIn(secrets, haystacks);
  }
}
