package dev.runnerguard.githubsim;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(WebhookReceiver.class)
class GitHubSimHealthIT {

  @Test
  void healthIsUpAndMetricsNameRequests() {
    given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    given().get("/_sim/faults").then().statusCode(200);
    given().get("/orgs/octo-org/actions/runners").then().statusCode(401);
    given()
        .accept("text/plain")
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("runnerguard_sim_requests_total"))
        .body(containsString("endpoint=\"GET runners\""));
  }
}
