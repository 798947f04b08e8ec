package dev.runnerguard.githubsim;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulator over real HTTP: App JWTs, tokens, JIT configs, faults, and a real runner. */
@QuarkusTest
@QuarkusTestResource(WebhookReceiver.class)
class GitHubSimIT {

  static final long APP_ID = 1000001;
  static final String ORG = "octo-org";

  @TestHTTPResource("/")
  URL base;

  @AfterEach
  void resetFaults() {
    given().delete("/_sim/faults").then().statusCode(200);
  }

  static PrivateKey appKey() throws Exception {
    String pem =
        Files.readString(Path.of("target/test-home/github-sim/app-private-key.pem"))
            .replaceAll("-----[A-Z ]+-----", "")
            .replaceAll("\\s", "");
    return KeyFactory.getInstance("RSA")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
  }

  static String jwt(PrivateKey key, Object iss, Instant iat, Instant exp) throws Exception {
    JWTClaimsSet.Builder c = new JWTClaimsSet.Builder().issueTime(Date.from(iat));
    c.expirationTime(Date.from(exp));
    c.claim("iss", iss);
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), c.build());
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  static long installationId() {
    return given()
        .get("/_sim/apps")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getLong("find { it.app_id == " + APP_ID + " }.installations[0].id");
  }

  static ValidatableResponse accessToken(String jwt) {
    return given()
        .header("Authorization", "Bearer " + jwt)
        .post("/app/installations/" + installationId() + "/access_tokens")
        .then();
  }

  static String token() throws Exception {
    Instant now = Instant.now();
    return accessToken(jwt(appKey(), APP_ID, now.minusSeconds(60), now.plusSeconds(600)))
        .statusCode(201)
        .extract()
        .path("token");
  }

  @Test
  void keyFileIsPrivateAndPkcs8() throws Exception {
    Path key = Path.of("target/test-home/github-sim/app-private-key.pem");
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
  }

  @Test
  void validJwtGetsAnInstallationTokenWithRateLimitHeaders() throws Exception {
    Instant now = Instant.now();
    String t =
        accessToken(jwt(appKey(), APP_ID, now.minusSeconds(60), now.plusSeconds(600)))
            .statusCode(201)
            .header("x-ratelimit-limit", "5000")
            .header("x-ratelimit-remaining", notNullValue())
            .header("x-ratelimit-used", notNullValue())
            .header("x-ratelimit-reset", notNullValue())
            .header("x-ratelimit-resource", "core")
            .body("token", matchesPattern("ghs_[A-Za-z0-9]{36}"))
            .body("repository_selection", equalTo("all"))
            .body("permissions.organization_self_hosted_runners", equalTo("write"))
            .extract()
            .path("expires_at");
    assertThat(Duration.between(now, Instant.parse(t)).toMinutes()).isBetween(59L, 60L);
    // the client id is an accepted issuer too
    String clientId =
        given().get("/_sim/apps").then().extract().jsonPath().getString("[0].client_id");
    accessToken(jwt(appKey(), clientId, now.minusSeconds(60), now.plusSeconds(540)))
        .statusCode(201);
  }

  @Test
  void badJwtsAre401WithGitHubsErrorShape() throws Exception {
    Instant now = Instant.now();
    PrivateKey other =
        KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate(); // 2048 by default
    List<String> bad =
        List.of(
            jwt(appKey(), APP_ID, now.minusSeconds(700), now.minusSeconds(100)), // expired
            jwt(appKey(), APP_ID, now.minusSeconds(60), now.plusSeconds(660)), // exp > 10 min
            jwt(other, APP_ID, now.minusSeconds(60), now.plusSeconds(600)), // wrong key
            jwt(appKey(), 424242, now.minusSeconds(60), now.plusSeconds(600)), // wrong iss
            "not.a.jwt",
            "eyJhbGciOiJSUzI1NiJ9");
    for (String jwt : bad) {
      accessToken(jwt)
          .statusCode(401)
          .header("x-ratelimit-limit", notNullValue())
          .body("message", notNullValue())
          .body("documentation_url", notNullValue());
    }
    given()
        .post("/app/installations/" + installationId() + "/access_tokens")
        .then()
        .statusCode(401);
  }

  @Test
  void jitConfigRegistersARunnerAndRefusesDuplicatesAndBadInput() throws Exception {
    String token = token();
    Map<String, Object> body =
        Map.of(
            "name",
            "rg-jit-1",
            "runner_group_id",
            1,
            "labels",
            List.of("rg-a"),
            "work_folder",
            "_work");
    String encoded =
        given()
            .header("Authorization", "Bearer " + token)
            .contentType("application/json")
            .body(body)
            .post("/orgs/" + ORG + "/actions/runners/generate-jitconfig")
            .then()
            .statusCode(201)
            .body("runner.name", equalTo("rg-jit-1"))
            .body("runner.status", equalTo("offline"))
            .body("runner.labels.name", hasItem("rg-a"))
            .extract()
            .path("encoded_jit_config");
    String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    assertThat(decoded)
        .contains("\"runner_name\":\"rg-jit-1\"")
        .contains("\"credential\":\"simrc_");
    given()
        .header("Authorization", "token " + token)
        .get("/orgs/" + ORG + "/actions/runners?per_page=100")
        .then()
        .statusCode(200)
        .header("x-ratelimit-remaining", notNullValue())
        .body("runners.name", hasItem("rg-jit-1"));
    given()
        .header("Authorization", "Bearer " + token)
        .contentType("application/json")
        .body(body)
        .post("/orgs/" + ORG + "/actions/runners/generate-jitconfig")
        .then()
        .statusCode(409)
        .body("message", notNullValue());
    List<String> many = new ArrayList<>(Collections.nCopies(101, "x"));
    for (Map<String, Object> b :
        List.<Map<String, Object>>of(
            Map.of("name", "rg-e", "runner_group_id", 1, "labels", List.of()),
            Map.of("name", "rg-m", "runner_group_id", 1, "labels", many),
            Map.of("name", "bad name!", "runner_group_id", 1, "labels", List.of("a")))) {
      given()
          .header("Authorization", "Bearer " + token)
          .contentType("application/json")
          .body(b)
          .post("/orgs/" + ORG + "/actions/runners/generate-jitconfig")
          .then()
          .statusCode(422)
          .body("message", equalTo("Validation Failed"))
          .body("errors", notNullValue());
    }
    given()
        .header("Authorization", "Bearer ghs_nope")
        .get("/orgs/" + ORG + "/actions/runners")
        .then()
        .statusCode(401)
        .body("message", equalTo("Bad credentials"));
    long id =
        given()
            .header("Authorization", "Bearer " + token)
            .get("/orgs/" + ORG + "/actions/runners?name=rg-jit-1")
            .then()
            .extract()
            .jsonPath()
            .getLong("runners[0].id");
    given()
        .header("Authorization", "Bearer " + token)
        .delete("/orgs/" + ORG + "/actions/runners/" + id)
        .then()
        .statusCode(204);
    given()
        .header("Authorization", "Bearer " + token)
        .delete("/orgs/" + ORG + "/actions/runners/" + id)
        .then()
        .statusCode(404);
  }

  @Test
  void faultsAnswer5xxAndRateLimitsWithHeaders() throws Exception {
    String token = token();
    given()
        .contentType("application/json")
        .body("{\"fail_next\":1,\"fail_status\":503}")
        .post("/_sim/faults")
        .then()
        .statusCode(200);
    given()
        .header("Authorization", "Bearer " + token)
        .get("/orgs/" + ORG + "/actions/runner-groups")
        .then()
        .statusCode(503)
        .header("x-ratelimit-limit", notNullValue())
        .body("message", notNullValue());
    given()
        .contentType("application/json")
        .body("{\"rate_limit_next\":1,\"retry_after\":7}")
        .post("/_sim/faults")
        .then()
        .statusCode(200);
    given()
        .header("Authorization", "Bearer " + token)
        .get("/orgs/" + ORG + "/actions/runner-groups")
        .then()
        .statusCode(403)
        .header("x-ratelimit-remaining", "0")
        .header("retry-after", "7")
        .header("x-ratelimit-reset", notNullValue());
    given()
        .header("Authorization", "Bearer " + token)
        .get("/orgs/" + ORG + "/actions/runner-groups")
        .then()
        .statusCode(200)
        .body("total_count", equalTo(3))
        .body("runner_groups[0].name", equalTo("Default"));
  }

  @Test
  void secondAppOnTheSameOrgHasItsOwnRateLimitAndCanBeLimitedAlone() throws Exception {
    java.security.KeyPair pair = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    String publicPem =
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(pair.getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n";
    var created =
        given()
            .contentType("application/json")
            .body(Map.of("public_key_pem", publicPem, "orgs", List.of(ORG)))
            .post("/_sim/apps")
            .then()
            .statusCode(201)
            .body("installations[0].org", equalTo(ORG))
            .extract()
            .jsonPath();
    long appId = created.getLong("app_id");
    long installation = created.getLong("installations[0].id");
    assertThat(appId).isNotEqualTo(APP_ID);
    assertThat(given().get("/_sim/apps").then().extract().jsonPath().getList("app_id"))
        .hasSizeGreaterThanOrEqualTo(2);
    Instant now = Instant.now();
    String secondToken =
        given()
            .header(
                "Authorization",
                "Bearer "
                    + jwt(pair.getPrivate(), appId, now.minusSeconds(60), now.plusSeconds(600)))
            .post("/app/installations/" + installation + "/access_tokens")
            .then()
            .statusCode(201)
            .extract()
            .path("token");
    String firstToken = token();

    // Only the second App: 2 requests left, then over the limit until the reset.
    given()
        .contentType("application/json")
        .body(Map.of("rate_limit_app", Map.of("app_id", appId, "remaining", 2, "reset_in", 120)))
        .post("/_sim/faults")
        .then()
        .statusCode(200)
        .body("rate_limit_app.'installation:" + installation + "'.remaining", equalTo(2));
    String groups = "/orgs/" + ORG + "/actions/runner-groups";
    given()
        .header("Authorization", "Bearer " + secondToken)
        .get(groups)
        .then()
        .statusCode(200)
        .header("x-ratelimit-remaining", "1");
    given().header("Authorization", "Bearer " + secondToken).get(groups).then().statusCode(200);
    long reset =
        Long.parseLong(
            given()
                .header("Authorization", "Bearer " + secondToken)
                .get(groups)
                .then()
                .statusCode(403)
                .header("x-ratelimit-remaining", "0")
                .body("message", equalTo("API rate limit exceeded."))
                .extract()
                .header("x-ratelimit-reset"));
    assertThat(reset).isGreaterThan(Instant.now().getEpochSecond() + 60);
    given()
        .header("Authorization", "Bearer " + firstToken)
        .get(groups)
        .then()
        .statusCode(200)
        .header("x-ratelimit-remaining", matchesPattern("[1-9][0-9]*"));

    given()
        .contentType("application/json")
        .body(Map.of("rate_limit_app", Map.of("app_id", 999)))
        .post("/_sim/faults")
        .then()
        .statusCode(404);
    given()
        .contentType("application/json")
        .body(Map.of("rate_limit_app", Map.of("remaining", 1)))
        .post("/_sim/faults")
        .then()
        .statusCode(400);
    // DELETE /_sim/faults (after each test) refills the buckets.
    given().delete("/_sim/faults").then().statusCode(200);
    given().header("Authorization", "Bearer " + secondToken).get(groups).then().statusCode(200);
  }

  @Test
  void controlApiRefusesBadInputWithClearJson() {
    for (String body :
        List.of(
            "not json",
            "{}",
            "{\"repository\":\"nope\",\"labels\":[\"a\"]}",
            "{\"repository\":\"octo-org/r\",\"labels\":[]}",
            "{\"repository\":\"octo-org/r\",\"labels\":[\"a\"],\"visibility\":\"secret\"}",
            "{\"repository\":\"octo-org/r\",\"labels\":[\"a\"],\"misbehaviour\":\"x\"}",
            "{\"repository\":\"octo-org/r\",\"labels\":[\"a\"],\"steps\":\"echo\"}")) {
      given()
          .contentType("application/json")
          .body(body)
          .post("/_sim/jobs")
          .then()
          .statusCode(400)
          .body("error", notNullValue())
          .body("message", notNullValue());
    }
    given().get("/_sim/jobs/123").then().statusCode(404).body("error", equalTo("not_found"));
    given().get("/_sim/jobs/abc").then().statusCode(400);
    given()
        .contentType("application/json")
        .body("{\"bogus\":1}")
        .post("/_sim/faults")
        .then()
        .statusCode(400);
  }

  @Test
  void simulatedRunnerTakesAFittingJobRunsItAndWebhooksFollow() throws Exception {
    long before = given().get("/_sim/exfil").then().extract().jsonPath().getLong("connections");
    long jobId =
        given()
            .contentType("application/json")
            .body(
                Map.of(
                    "repository",
                    ORG + "/app",
                    "visibility",
                    "private",
                    "labels",
                    List.of("self-hosted", "rg-e2e"),
                    "steps",
                    List.of("echo step-one", "test 1 -eq 2"),
                    "misbehaviour",
                    "exfiltrate"))
            .post("/_sim/jobs")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath()
            .getLong("id");
    assertThat(jobId).isGreaterThan(1L << 32);
    given().get("/_sim/jobs/" + jobId).then().body("status", equalTo("queued"));
    String token = token();
    String encoded =
        given()
            .header("Authorization", "Bearer " + token)
            .contentType("application/json")
            .body(
                Map.of("name", "rg-e2e-runner", "runner_group_id", 2, "labels", List.of("rg-e2e")))
            .post("/repos/" + ORG + "/app/actions/runners/generate-jitconfig")
            .then()
            .statusCode(201)
            .extract()
            .path("encoded_jit_config");
    Path script = Files.createTempFile("sim-runner", ".sh");
    Files.writeString(
        script, given().get("/_sim/runner.sh").then().statusCode(200).extract().asString());
    ProcessBuilder pb = new ProcessBuilder("sh", script.toString()).redirectErrorStream(true);
    pb.environment().put("ACTIONS_RUNNER_INPUT_JITCONFIG", encoded);
    pb.environment().put("SIM_RUNNER_MAX_WAIT", "20");
    pb.redirectOutput(Path.of("target/sim-runner-e2e.log").toFile());
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("runner exits").isTrue();
    assertThat(p.exitValue()).as(Files.readString(Path.of("target/sim-runner-e2e.log"))).isZero();
    given()
        .get("/_sim/jobs/" + jobId)
        .then()
        .body("status", equalTo("completed"))
        .body("conclusion", equalTo("failure"))
        .body("runner_name", equalTo("rg-e2e-runner"));
    given()
        .header("Authorization", "Bearer " + token)
        .get("/repos/" + ORG + "/app/actions/jobs/" + jobId)
        .then()
        .statusCode(200)
        .body("status", equalTo("completed"))
        .body("conclusion", equalTo("failure"))
        .body("run_attempt", equalTo(1))
        .body("steps[2].conclusion", equalTo("failure"));
    assertThat(given().get("/_sim/exfil").then().extract().jsonPath().getLong("connections"))
        .isGreaterThan(before);
    // the ephemeral runner is gone after its job
    given()
        .header("Authorization", "Bearer " + token)
        .get("/repos/" + ORG + "/app/actions/runners")
        .then()
        .body("total_count", equalTo(0));
    long deadline = System.currentTimeMillis() + 10_000;
    List<String> mine = List.of();
    while (System.currentTimeMillis() < deadline) {
      mine = WebhookReceiver.recorded().stream().filter(s -> s.startsWith(jobId + ":")).toList();
      if (mine.size() >= 3) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(mine)
        .containsExactly(
            jobId + ":queued:true:true",
            jobId + ":in_progress:true:true",
            jobId + ":completed:true:true");
    given().get("/_sim/deliveries").then().body("outcome", hasItem("delivered"));
  }
}
