package dev.runnerguard.gateway.intake;

import static dev.runnerguard.gateway.intake.WebhookIntakeFixture.SECRET;
import static dev.runnerguard.gateway.intake.WebhookIntakeFixture.signed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.gateway.intake.WebhookIntake.Reason;
import dev.runnerguard.gateway.signature.WebhookSignatureVerifier;
import dev.runnerguard.testing.GitHubFixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WebhookIntakeTest {
  private final WebhookIntake intake = WebhookIntakeFixture.intake(List.of());
  private static final byte[] QUEUED = GitHubFixtures.payload("queued.payload.json");

  @Test
  void realWorkflowJobPayloadsBecomeRecordsKeyedByJobId() {
    for (String file : GitHubFixtures.WORKFLOW_JOB_PAYLOADS) {
      var decision = intake.examine(signed("workflow_job", GitHubFixtures.payload(file)));
      assertThat(decision).isInstanceOf(WebhookIntake.Produce.class);
      var produce = (WebhookIntake.Produce) decision;
      assertThat(produce.record().topic()).isEqualTo("github.workflow-job");
      assertThat(produce.record().key()).isEqualTo("289782451");
      assertThat(produce.event()).isEqualTo("workflow_job");
    }
  }

  @Test
  void pingIsAnsweredAndOtherEventsIgnored() {
    byte[] ping =
        "{\"zen\":\"Design for failure.\",\"hook_id\":1}".getBytes(StandardCharsets.UTF_8);
    assertThat(intake.examine(signed("ping", ping))).isInstanceOf(WebhookIntake.Ping.class);
    assertThat(intake.examine(signed("push", ping))).isEqualTo(new WebhookIntake.Ignore("push"));
  }

  @Test
  void installationAndWorkflowRunGoToTheirTopics() {
    byte[] installation =
        "{\"action\":\"created\",\"installation\":{\"id\":42,\"account\":{\"login\":\"acme\"}}}"
            .getBytes(StandardCharsets.UTF_8);
    var i = (WebhookIntake.Produce) intake.examine(signed("installation", installation));
    assertThat(i.record().topic()).isEqualTo("github.installation");
    assertThat(i.record().key()).isEqualTo("42");

    byte[] run =
        "{\"action\":\"requested\",\"workflow_run\":{\"id\":7},\"repository\":{\"full_name\":\"a/b\"}}"
            .getBytes(StandardCharsets.UTF_8);
    var r = (WebhookIntake.Produce) intake.examine(signed("workflow_run", run));
    assertThat(r.record().topic()).isEqualTo("github.workflow-run");
    assertThat(r.record().key()).isEqualTo("7");
    assertThat(r.action()).isEqualTo("requested");
  }

  static Stream<Arguments> badRequests() {
    WebhookIntake.Request good = signed("workflow_job", QUEUED);
    return Stream.of(
            bad(
                "no content type",
                r -> with(r, null, r.event(), r.deliveryId(), r.signature(), r.body()),
                Reason.UNSUPPORTED_MEDIA_TYPE),
            bad(
                "form encoded",
                r ->
                    with(
                        r,
                        "application/x-www-form-urlencoded",
                        r.event(),
                        r.deliveryId(),
                        r.signature(),
                        r.body()),
                Reason.UNSUPPORTED_MEDIA_TYPE),
            bad(
                "text/plain",
                r -> with(r, "text/plain", r.event(), r.deliveryId(), r.signature(), r.body()),
                Reason.UNSUPPORTED_MEDIA_TYPE),
            bad(
                "no event header",
                r -> with(r, r.contentType(), null, r.deliveryId(), r.signature(), r.body()),
                Reason.MISSING_HEADER),
            bad(
                "no delivery header",
                r -> with(r, r.contentType(), r.event(), " ", r.signature(), r.body()),
                Reason.MISSING_HEADER),
            bad(
                "no signature header",
                r -> with(r, r.contentType(), r.event(), r.deliveryId(), null, r.body()),
                Reason.MISSING_HEADER),
            bad(
                "delivery id with spaces",
                r -> with(r, r.contentType(), r.event(), "a b", r.signature(), r.body()),
                Reason.BAD_DELIVERY_ID),
            bad(
                "delivery id too long",
                r -> with(r, r.contentType(), r.event(), "a".repeat(65), r.signature(), r.body()),
                Reason.BAD_DELIVERY_ID),
            bad(
                "event with capitals",
                r ->
                    with(
                        r,
                        r.contentType(),
                        "Workflow_Job",
                        r.deliveryId(),
                        r.signature(),
                        r.body()),
                Reason.BAD_EVENT_NAME),
            bad(
                "wrong secret",
                r ->
                    with(
                        r,
                        r.contentType(),
                        r.event(),
                        r.deliveryId(),
                        WebhookSignatureVerifier.sign(
                            "x".getBytes(StandardCharsets.UTF_8), r.body()),
                        r.body()),
                Reason.BAD_SIGNATURE),
            bad(
                "malformed signature",
                r -> with(r, r.contentType(), r.event(), r.deliveryId(), "sha256=nothex", r.body()),
                Reason.BAD_SIGNATURE),
            bad(
                "body changed after signing",
                r ->
                    with(
                        r,
                        r.contentType(),
                        r.event(),
                        r.deliveryId(),
                        r.signature(),
                        (new String(r.body(), StandardCharsets.UTF_8) + " ")
                            .getBytes(StandardCharsets.UTF_8)),
                Reason.BAD_SIGNATURE),
            bad(
                "body too large",
                r -> resigned(r, new byte[(int) WebhookIntakeFixture.MAX_BODY + 1]),
                Reason.BODY_TOO_LARGE),
            bad(
                "not json",
                r -> resigned(r, "{oops".getBytes(StandardCharsets.UTF_8)),
                Reason.INVALID_PAYLOAD),
            bad("empty body", r -> resigned(r, new byte[0]), Reason.INVALID_PAYLOAD),
            bad(
                "missing job id",
                r ->
                    resigned(
                        r,
                        "{\"action\":\"queued\",\"workflow_job\":{\"labels\":[]},\"repository\":{\"full_name\":\"a/b\"}}"
                            .getBytes(StandardCharsets.UTF_8)),
                Reason.INVALID_PAYLOAD),
            bad(
                "workflow_run without id",
                r ->
                    with(
                        r,
                        r.contentType(),
                        "workflow_run",
                        r.deliveryId(),
                        r.signature(),
                        r.body()),
                Reason.INVALID_PAYLOAD),
            bad(
                "installation without id",
                r ->
                    resigned(
                        with(
                            r,
                            r.contentType(),
                            "installation",
                            r.deliveryId(),
                            r.signature(),
                            r.body()),
                        "{\"action\":\"created\"}".getBytes(StandardCharsets.UTF_8)),
                Reason.INVALID_PAYLOAD))
        .map(
            a ->
                Arguments.of(
                    a.get()[0],
                    ((UnaryOperator<WebhookIntake.Request>) a.get()[1]).apply(good),
                    a.get()[2]));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void badInputIsRefusedWithAReasonAndNothingToProduce(
      String name, WebhookIntake.Request request, Reason reason) {
    var decision = intake.examine(request);
    assertThat(decision).isInstanceOf(WebhookIntake.Reject.class);
    var reject = (WebhookIntake.Reject) decision;
    assertThat(reject.reason()).isEqualTo(reason);
    assertThat(reject.message()).isNotBlank();
    if (request.signature() != null) {
      assertThat(reject.message()).doesNotContain(request.signature());
    }
    assertThat(reject.message()).doesNotContain(new String(SECRET, StandardCharsets.UTF_8));
  }

  @Test
  void sourceAllowlistRefusesOtherAddresses() {
    WebhookIntake restricted = WebhookIntakeFixture.intake(List.of("192.30.252.0/22"));
    var decision = restricted.examine(signed("workflow_job", QUEUED));
    assertThat(decision).isInstanceOf(WebhookIntake.Reject.class);
    assertThat(((WebhookIntake.Reject) decision).reason()).isEqualTo(Reason.SOURCE_NOT_ALLOWED);
    assertThat(((WebhookIntake.Reject) decision).reason().status()).isEqualTo(403);
  }

  private static Arguments bad(
      String name, UnaryOperator<WebhookIntake.Request> change, Reason reason) {
    return Arguments.of(name, change, reason);
  }

  private static WebhookIntake.Request with(
      WebhookIntake.Request r,
      String contentType,
      String event,
      String delivery,
      String signature,
      byte[] body) {
    return new WebhookIntake.Request(
        r.remoteAddress(),
        contentType,
        event,
        delivery,
        signature,
        r.traceparent(),
        r.tracestate(),
        body);
  }

  private static WebhookIntake.Request resigned(WebhookIntake.Request r, byte[] body) {
    return with(
        r,
        r.contentType(),
        r.event(),
        r.deliveryId(),
        WebhookSignatureVerifier.sign(SECRET, body),
        body);
  }
}
