package dev.runnerguard.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runnerguard.testing.ServiceProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * github-sim (its own JVM) with two Apps on octo-org: the sim's generated App (configured with the
 * single-App settings, also installed on other-org) and a second App "green" registered through
 * {@code POST /_sim/apps} (configured as a named App, key in a file named by {@code
 * runnerguard.token.apps.green.key-file}). Small circuit and budget settings for the tests.
 */
public final class MultiAppSimResource implements QuarkusTestResourceLifecycleManager {
  static volatile ServiceProcess sim;
  static volatile Path blueKey;
  static volatile Path greenKey;
  static volatile long blueAppId;
  static volatile long greenAppId;
  static volatile long greenInstallation;

  @Override
  public Map<String, String> start() {
    try {
      Path home = Files.createTempDirectory("rg-token-multi-it");
      sim =
          ServiceProcess.builder("github-sim")
              .env("RUNNERGUARD_HOME", home.toString())
              .systemProperty("runnerguard.sim.orgs", "octo-org,other-org")
              .systemProperty("runnerguard.sim.webhook-url", "http://127.0.0.1:9/webhook")
              .heap("256m")
              .start();
      blueKey = home.resolve("github-sim/app-private-key.pem");
      JsonNode blue =
          new ObjectMapper().readTree(Files.readString(home.resolve("github-sim/app.json")));
      blueAppId = blue.get("app_id").asLong();

      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      KeyPair pair = g.generateKeyPair();
      Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
      greenKey = home.resolve("green-app-key.pem");
      Files.writeString(
          greenKey,
          "-----BEGIN PRIVATE KEY-----\n"
              + b64.encodeToString(pair.getPrivate().getEncoded())
              + "\n-----END PRIVATE KEY-----\n");
      Files.setPosixFilePermissions(greenKey, PosixFilePermissions.fromString("rw-------"));
      String publicPem =
          "-----BEGIN PUBLIC KEY-----\n"
              + b64.encodeToString(pair.getPublic().getEncoded())
              + "\n-----END PUBLIC KEY-----\n";
      HttpResponse<String> created =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(sim.baseUri().resolve("/_sim/apps"))
                      .header("Content-Type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              new ObjectMapper()
                                  .writeValueAsString(
                                      Map.of(
                                          "public_key_pem",
                                          publicPem,
                                          "orgs",
                                          java.util.List.of("octo-org")))))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (created.statusCode() != 201) {
        throw new IllegalStateException("POST /_sim/apps: " + created.statusCode());
      }
      JsonNode green = new ObjectMapper().readTree(created.body());
      greenAppId = green.get("app_id").asLong();
      greenInstallation = green.get("installations").get(0).get("id").asLong();

      Map<String, String> config = new HashMap<>();
      config.put("runnerguard.token.github-url", sim.baseUri().toString());
      // The single-App settings (backward compatible): the sim's generated App.
      config.put("runnerguard.token.app-id", Long.toString(blueAppId));
      config.put("runnerguard.token.client-id", blue.get("client_id").asText());
      config.put("runnerguard.token.app-key-file", blueKey.toString());
      for (JsonNode i : blue.get("installations")) {
        config.put(
            "runnerguard.token.installations." + i.get("org").asText(), i.get("id").asText());
      }
      // A named App on octo-org; its key by file (in production rather the env
      // RUNNERGUARD_TOKEN_APP_KEY_GREEN_FILE, which an in-process test cannot set).
      config.put("runnerguard.token.apps.green.app-id", Long.toString(greenAppId));
      config.put("runnerguard.token.apps.green.client-id", green.get("client_id").asText());
      config.put(
          "runnerguard.token.apps.green.installations.octo-org", Long.toString(greenInstallation));
      config.put("runnerguard.token.apps.green.key-file", greenKey.toString());
      // Small limits, so the tests reach them.
      config.put("runnerguard.token.circuit.failure-threshold", "3");
      config.put("runnerguard.token.circuit.cooldown", "2s");
      config.put("runnerguard.token.budget.content-per-minute", "4");
      config.put("runnerguard.token.budget.max-wait", "1s");
      return config;
    } catch (Exception e) {
      throw new IllegalStateException("cannot start github-sim with two Apps", e);
    }
  }

  @Override
  public void stop() {
    if (sim != null) {
      try {
        sim.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
