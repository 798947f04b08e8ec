package dev.runnerguard.testing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import org.junit.jupiter.api.Test;

/**
 * What every RunnerGuard service must answer, as a test contract: a service module's {@code
 * *HealthIT} extends it, annotated with {@code @QuarkusTest} and
 * {@code @QuarkusTestResource(KafkaTestResource.class)} so the service runs against the real
 * broker.
 */
public abstract class ServiceHealthContract {

  @Test
  void readinessIsUpAndIncludesKafka() {
    given()
        .when()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItem(containsString("Kafka")));
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
