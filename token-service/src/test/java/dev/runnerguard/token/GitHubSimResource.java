package dev.runnerguard.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runnerguard.testing.ServiceProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts the packaged github-sim (its own JVM) with its App installed on octo-org and other-org,
 * and points the token-service at it: base URL, App id, client id, key file, installations.
 */
public final class GitHubSimResource implements QuarkusTestResourceLifecycleManager {
  static volatile ServiceProcess sim;
  static volatile Path home;
  static volatile Path keyFile;
  static volatile Map<String, Long> installations = new HashMap<>();

  @Override
  public Map<String, String> start() {
    try {
      home = Files.createTempDirectory("rg-token-it");
      sim =
          ServiceProcess.builder("github-sim")
              .env("RUNNERGUARD_HOME", home.toString())
              .systemProperty("runnerguard.sim.orgs", "octo-org,other-org")
              .systemProperty("runnerguard.sim.webhook-url", "http://127.0.0.1:9/webhook")
              .heap("256m")
              .start();
      keyFile = home.resolve("github-sim/app-private-key.pem");
      JsonNode app =
          new ObjectMapper().readTree(Files.readString(home.resolve("github-sim/app.json")));
      Map<String, String> config = new HashMap<>();
      config.put("runnerguard.token.github-url", sim.baseUri().toString());
      config.put("runnerguard.token.app-id", app.get("app_id").asText());
      config.put("runnerguard.token.client-id", app.get("client_id").asText());
      config.put("runnerguard.token.app-key-file", keyFile.toString());
      for (JsonNode i : app.get("installations")) {
        installations.put(i.get("org").asText(), i.get("id").asLong());
        config.put(
            "runnerguard.token.installations." + i.get("org").asText(), i.get("id").asText());
      }
      return config;
    } catch (Exception e) {
      throw new IllegalStateException("cannot start github-sim", e);
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
