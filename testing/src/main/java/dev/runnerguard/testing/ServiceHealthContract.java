package dev.runnerguard.testing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What every RunnerGuard service must answer, as a test contract: a service module's {@code
 * *HealthIT} extends it, annotated with {@code @QuarkusTest} and
 * {@code @QuarkusTestResource(KafkaTestResource.class)} so the service runs against the real
 * broker.
 */
public abstract class ServiceHealthContract {

  /**
   * How long a service may stay not ready after Quarkus reports it started. Readiness is allowed to
   * be DOWN while a service connects and catches up (the orchestrator waits for its stream threads
   * and its runner view), so the contract is "becomes ready", not "is ready at once".
   */
  static final Duration READY_WITHIN = Duration.ofSeconds(90);

  @Test
  void readinessIsUpAndIncludesKafka() throws InterruptedException {
    awaitReady(READY_WITHIN);
    given()
        .when()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItem(containsString("Kafka")));
  }

  /**
   * Polls {@code /q/health/ready} until it answers 200; fails with the last answer when it does not
   * within {@code bound}.
   */
  public static void awaitReady(Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    String last;
    while (true) {
      var response = given().when().get("/q/health/ready");
      if (response.statusCode() == 200) {
        return;
      }
      last = response.statusCode() + " " + response.asString();
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not ready within " + bound + "; last answer: " + last);
      }
      Thread.sleep(200);
    }
  }

  @Test
  void livenessIsUp() {
    given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void metricsAreServedInPrometheusFormat() {
    given()
        .accept("text/plain")
        .when()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .contentType(containsString("text/plain"))
        .body(containsString("jvm_memory_used_bytes"))
        .body(containsString("http_server_requests_seconds"));
  }

  @Test
  void unknownPathsAnswer404() {
    given().when().get("/no-such-path").then().statusCode(404);
  }
}
