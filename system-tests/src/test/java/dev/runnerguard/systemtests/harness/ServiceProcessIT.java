package dev.runnerguard.systemtests.harness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.testing.KafkaBroker;
import dev.runnerguard.testing.RealKafka;
import dev.runnerguard.testing.ServiceProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The harness's {@link ServiceProcess}: config by environment, restart on the same port, kill. */
@RealKafka
class ServiceProcessIT {

  @Test
  void envConfigRestartOnSamePortAndKill(KafkaBroker broker) throws Exception {
    // Readiness needs Kafka, so the service is only ready if the environment reached it.
    try (ServiceProcess policy =
        ServiceProcess.builder("policy-service")
            .env("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers())
            .heap("192m")
            .readyTimeout(Duration.ofSeconds(90))
            .start()) {
      int port = policy.port();
      assertThat(policy.baseUri().toString()).isEqualTo("http://127.0.0.1:" + port);
      assertThat(policy.get("/q/health/ready").statusCode()).isEqualTo(200);
      assertThat(
              policy
                  .post(
                      "/q/health/ready",
                      Map.of("Content-Type", "application/json"),
                      "{}".getBytes(StandardCharsets.UTF_8))
                  .statusCode())
          .isBetween(200, 499);

      policy.restart();
      assertThat(policy.port()).isEqualTo(port);
      assertThat(policy.isAlive()).isTrue();
      assertThat(policy.get("/q/health/ready").statusCode()).isEqualTo(200);

      policy.kill();
      assertThat(policy.isAlive()).isFalse();
      policy.restart();
      assertThat(policy.isAlive()).isTrue();
      assertThat(policy.port()).isEqualTo(port);
      assertThat(policy.metrics()).contains("# TYPE");
    }
  }
}
