package dev.runnerguard.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.testing.KafkaTestBroker;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged service (its own JVM): starts without credentials, refuses a key given as -D. */
class TokenServiceStartupIT {
  static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Process start(int port, Path log, List<String> extra) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx192m");
    cmd.add("-Dquarkus.http.port=" + port);
    cmd.add("-Dquarkus.http.host=127.0.0.1");
    cmd.add("-Dkafka.bootstrap.servers=" + KafkaTestBroker.bootstrapServers());
    cmd.addAll(extra);
    cmd.add("-jar");
    cmd.add(JAR.toString());
    ProcessBuilder b =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    b.environment().keySet().removeIf(k -> k.startsWith("RUNNERGUARD_"));
    return b.start();
  }

  @Test
  void startsWithoutCredentialsNotReadyAndInternalApiAnswers503() throws Exception {
    assertThat(JAR).exists();
    int port = freePort();
    Path log = Files.createTempFile("token-service-nocreds", ".log");
    Process p = start(port, log, List.of());
    try {
      HttpResponse<String> live = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline && p.isAlive()) {
        try {
          live = get(port, "/q/health/live");
          if (live.statusCode() == 200) {
            break;
          }
        } catch (java.io.IOException e) {
          // not yet
        }
        Thread.sleep(250);
      }
      assertThat(live).as(Files.readString(log)).isNotNull();
      assertThat(live.statusCode()).isEqualTo(200);
      HttpResponse<String> ready = get(port, "/q/health/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body())
          .contains("github-app-credentials")
          .contains("RUNNERGUARD_INTERNAL_SECRET");
      HttpResponse<String> jit =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/internal/v1/jit"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(jit.statusCode()).isEqualTo(503);
      assertThat(jit.body()).contains("not_configured");
    } finally {
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void keyGivenAsSystemPropertyIsRefusedWithoutPrintingIt() throws Exception {
    int port = freePort();
    Path log = Files.createTempFile("token-service-dkey", ".log");
    String fake = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDSECRETMATERIAL";
    Process p =
        start(
            port,
            log,
            List.of(
                "-Drunnerguard.token.app-key=-----BEGIN PRIVATE KEY-----" + fake,
                "-Drunnerguard.internal.secret-file=/nonexistent"));
    try {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isNotZero();
      String out = Files.readString(log);
      assertThat(out).contains("RUNNERGUARD_TOKEN_APP_KEY").doesNotContain("SECRETMATERIAL");
    } finally {
      p.destroyForcibly();
    }
  }

  static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
