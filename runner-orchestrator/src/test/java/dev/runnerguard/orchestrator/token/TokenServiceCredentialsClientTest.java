package dev.runnerguard.orchestrator.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.runnerguard.orchestrator.spi.CredentialsClient;
import dev.runnerguard.orchestrator.spi.CredentialsClient.CredentialsException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The token-service client against a loopback HTTP server that answers like the token-service's
 * internal API (token-service/README.md): service-token claims, paths, and error classification; no
 * credential in any exception message.
 */
class TokenServiceCredentialsClientTest {
  static final byte[] SECRET =
      "0123456789abcdef0123456789abcdef-test".getBytes(StandardCharsets.UTF_8);
  static final String JIT = "eyJzZWNyZXQiOiJqaXQtY29uZmlnLXZhbHVlIn0=";

  HttpServer server;
  final Map<String, String> lastAuth = new ConcurrentHashMap<>();
  volatile int status = 201;
  volatile String body;
  volatile String lastPath;
  volatile String lastBody;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        ex -> {
          lastPath = ex.getRequestMethod() + " " + ex.getRequestURI();
          lastBody = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          lastAuth.put("auth", String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
          byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          if (status == 429) {
            ex.getResponseHeaders().add("Retry-After", "42");
          }
          ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
          try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  CredentialsClient client() {
    return new TokenServiceCredentialsClient(
        URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
        SECRET,
        Duration.ofSeconds(5),
        Clock.systemUTC());
  }

  @Test
  void mintsAJitConfigWithASignedServiceToken() throws Exception {
    status = 201;
    body = "{\"runnerId\":42,\"runnerName\":\"rg-1-1\",\"encodedJitConfig\":\"" + JIT + "\"}";

    CredentialsClient.MintedJit jit =
        client()
            .mintJit(
                new CredentialsClient.JitRequest(
                    "octo-org", null, "rg-1-1", 2, List.of("self-hosted", "runnerguard"), "_work"));

    assertThat(jit.githubRunnerId()).isEqualTo(42);
    assertThat(jit.encodedJitConfig().reveal()).isEqualTo(JIT);
    assertThat(jit.encodedJitConfig().toString()).doesNotContain(JIT);
    assertThat(jit.toString()).doesNotContain(JIT);
    assertThat(lastPath).isEqualTo("POST /internal/v1/jit");
    assertThat(lastBody)
        .contains("\"org\":\"octo-org\"")
        .contains("\"runnerName\":\"rg-1-1\"")
        .contains("\"runnerGroupId\":2")
        .contains("\"labels\":[\"self-hosted\",\"runnerguard\"]");
    SignedJWT token = SignedJWT.parse(lastAuth.get("auth").substring("Bearer ".length()));
    assertThat(token.verify(new MACVerifier(SECRET))).isTrue();
    assertThat(token.getJWTClaimsSet().getIssuer()).isEqualTo("runner-orchestrator");
    assertThat(token.getJWTClaimsSet().getAudience()).containsExactly("token-service");
    long lifetime =
        token.getJWTClaimsSet().getExpirationTime().getTime()
            - token.getJWTClaimsSet().getIssueTime().getTime();
    assertThat(lifetime).isLessThanOrEqualTo(300_000);
  }

  @Test
  void classifiesFailuresAndNeverEchoesABody() {
    status = 503;
    body =
        "{\"error\":\"github_unavailable\",\"message\":\"GitHub answered 502\",\"leak\":\""
            + JIT
            + "\"}";
    assertThatThrownBy(() -> client().jobStatus("octo-org/app", 7))
        .isInstanceOfSatisfying(
            CredentialsException.class,
            e -> {
              assertThat(e.retriable()).isTrue();
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.getMessage()).contains("github_unavailable").doesNotContain(JIT);
            });

    status = 400;
    body = "{\"error\":\"bad_request\",\"message\":\"runnerName must match\"}";
    assertThatThrownBy(
            () ->
                client()
                    .mintJit(
                        new CredentialsClient.JitRequest(
                            "octo-org", null, "bad name", 2, List.of("x"), null)))
        .isInstanceOfSatisfying(
            CredentialsException.class, e -> assertThat(e.retriable()).isFalse());

    status = 201;
    body = "{\"runnerId\":1}";
    assertThatThrownBy(
            () ->
                client()
                    .mintJit(
                        new CredentialsClient.JitRequest(
                            "octo-org", null, "rg-1-1", 2, List.of("x"), null)))
        .hasMessageContaining("no config");
  }

  @Test
  void aRetryAfterIsPassedOn() {
    status = 429;
    body = "{\"error\":\"github_budget_exhausted\",\"message\":\"budget\"}";
    assertThatThrownBy(
            () ->
                client()
                    .mintJit(
                        new CredentialsClient.JitRequest(
                            "octo-org", null, "rg-1-1", 2, List.of("x"), null)))
        .isInstanceOfSatisfying(
            CredentialsException.class,
            e -> {
              assertThat(e.retriable()).isTrue();
              assertThat(e.retryAfterMillis()).isEqualTo(42_000);
            });
  }

  @Test
  void anUnreachableTokenServiceIsRetriable() {
    server.stop(0);
    assertThatThrownBy(() -> client().listRunners("octo-org"))
        .isInstanceOfSatisfying(
            CredentialsException.class,
            e -> {
              assertThat(e.retriable()).isTrue();
              assertThat(e.status()).isZero();
            });
  }

  @Test
  void pathsFollowTheInternalApi() throws Exception {
    status = 200;
    body =
        "{\"id\":7,\"status\":\"completed\",\"conclusion\":\"success\",\"runnerName\":\"rg-7-1\"}";
    CredentialsClient.JobStatus s = client().jobStatus("octo-org/app", 7);
    assertThat(lastPath).isEqualTo("GET /internal/v1/repos/octo-org/app/jobs/7");
    assertThat(s.status()).isEqualTo("completed");
    assertThat(s.runnerName()).isEqualTo("rg-7-1");

    status = 204;
    body = null;
    client().deleteRunner("octo-org", 99);
    assertThat(lastPath).isEqualTo("DELETE /internal/v1/orgs/octo-org/runners/99");

    status = 202;
    body = "{\"cancelled\":true}";
    client().cancelRun("octo-org/app", 5, true);
    assertThat(lastPath).isEqualTo("POST /internal/v1/repos/octo-org/app/runs/5/cancel?force=true");

    status = 200;
    body =
        "{\"totalCount\":1,\"runners\":[{\"id\":3,\"name\":\"rg-3-1\",\"status\":\"online\",\"busy\":true}]}";
    assertThat(client().listRunners("octo-org"))
        .containsExactly(new CredentialsClient.RegisteredRunner(3, "rg-3-1", "online", true));
  }

  @Test
  void refusesAShortSecret() {
    assertThatThrownBy(
            () ->
                new TokenServiceCredentialsClient(
                    URI.create("http://127.0.0.1:1"),
                    new byte[8],
                    Duration.ofSeconds(1),
                    Clock.systemUTC()))
        .hasMessageContaining("32 bytes")
        .hasMessageNotContaining("\0");
  }
}
