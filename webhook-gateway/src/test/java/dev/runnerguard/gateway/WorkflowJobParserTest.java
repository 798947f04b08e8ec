package dev.runnerguard.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.schemas.RawBodies;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import dev.runnerguard.testing.GitHubFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;

class WorkflowJobParserTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private final WorkflowJobParser parser =
      new WorkflowJobParser(
          new EventMetadataFactory("webhook-gateway", "1.2.3", Clock.fixed(NOW, ZoneOffset.UTC)));
  private final DeliveryContext delivery =
      new DeliveryContext(
          "72d3162e-cc78-11e3-81ab-4c9367dc0958",
          "workflow_job",
          "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
          null);

  static final java.util.List<String> PAYLOADS = GitHubFixtures.WORKFLOW_JOB_PAYLOADS;

  @ParameterizedTest
  @FieldSource("PAYLOADS")
  void realPayloadsParseWithCorrelationAndRawBody(String file) throws IOException {
    byte[] body = GitHubFixtures.payload(file);
    WorkflowJobEvent event = parser.parse(body, delivery);

    assertThat(event.getJobId()).isEqualTo(289782451L);
    assertThat(event.getRunId()).isEqualTo(2202229078L);
    assertThat(event.getRunAttempt()).isEqualTo(1);
    assertThat(event.getRepositoryFullName()).isEqualTo("Codertocat/Hello-World");
    assertThat(event.getLabels()).containsExactly("ubuntu-latest");
    assertThat(event.getMetadata().getCorrelation().getDeliveryId())
        .isEqualTo(delivery.deliveryId());
    assertThat(event.getMetadata().getCorrelation().getJobId()).isEqualTo(289782451L);
    assertThat(event.getMetadata().getTrace().getTraceparent()).isEqualTo(delivery.traceparent());
    assertThat(event.getMetadata().getProducer().getService()).isEqualTo("webhook-gateway");
    assertThat(event.getMetadata().getProducer().getVersion()).isEqualTo("1.2.3");
    assertThat(event.getMetadata().getTime()).isEqualTo(NOW);
    assertThat(event.getMetadata().getEventId()).hasSize(36);
    assertThat(event.getRawBodyEncoding()).isEqualTo(RawBodies.LZ4_FRAME);
    assertThat(RawBodies.decode(event.getRawBodyEncoding(), event.getRawBody())).isEqualTo(body);
  }

  @Test
  void actionSpecificFieldsAreKept() {
    WorkflowJobEvent queued = parser.parse(GitHubFixtures.payload("queued.payload.json"), delivery);
    assertThat(queued.getAction()).isEqualTo("queued");
    assertThat(queued.getStatus()).isEqualTo("queued");
    assertThat(queued.getCompletedAt()).isNull();
    assertThat(queued.getRepositoryPrivate()).isFalse();
    assertThat(queued.getWorkflowName()).isEqualTo("CodeQL");

    WorkflowJobEvent completed =
        parser.parse(
            GitHubFixtures.payload("completed.success.with-organization.payload.json"), delivery);
    assertThat(completed.getAction()).isEqualTo("completed");
    assertThat(completed.getConclusion()).isEqualTo("success");
    assertThat(completed.getCompletedAt()).isNotNull();
    assertThat(completed.getRunnerName()).isEqualTo("GitHub Actions 5");
    assertThat(completed.getOrganization()).isNotBlank();
  }

  @Test
  void oldShapeWithoutRunAttemptAndRunnerFieldsParses() {
    String old =
        """
        {"action":"queued","workflow_job":{"id":7,"labels":["self-hosted"]},
         "repository":{"full_name":"acme/app","owner":{"login":"acme"}}}""";
    WorkflowJobEvent event = parser.parse(old.getBytes(StandardCharsets.UTF_8), delivery);
    assertThat(event.getRunAttempt()).isEqualTo(1);
    assertThat(event.getRunId()).isNull();
    assertThat(event.getRunnerName()).isNull();
    assertThat(event.getOrganization()).isEqualTo("acme");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          not json                  | {oops                                                                            | not valid JSON
          empty body                |                                                                                  | is empty
          array                     | []                                                                               | JSON object
          missing action            | {"workflow_job":{"id":1,"labels":[]},"repository":{"full_name":"a/b"}}           | 'action'
          action not string         | {"action":5,"workflow_job":{"id":1,"labels":[]},"repository":{"full_name":"a/b"}} | 'action'
          missing workflow_job      | {"action":"queued","repository":{"full_name":"a/b"}}                             | 'workflow_job'
          job id missing            | {"action":"queued","workflow_job":{"labels":[]},"repository":{"full_name":"a/b"}} | 'workflow_job.id'
          job id string             | {"action":"queued","workflow_job":{"id":"1","labels":[]},"repository":{"full_name":"a/b"}} | 'workflow_job.id'
          job id negative           | {"action":"queued","workflow_job":{"id":-1,"labels":[]},"repository":{"full_name":"a/b"}} | 'workflow_job.id'
          job id too large          | {"action":"queued","workflow_job":{"id":99999999999999999999,"labels":[]},"repository":{"full_name":"a/b"}} | 'workflow_job.id'
          labels missing            | {"action":"queued","workflow_job":{"id":1},"repository":{"full_name":"a/b"}}     | 'workflow_job.labels'
          labels not strings        | {"action":"queued","workflow_job":{"id":1,"labels":[1]},"repository":{"full_name":"a/b"}} | 'workflow_job.labels'
          repository missing        | {"action":"queued","workflow_job":{"id":1,"labels":[]}}                          | 'repository.full_name'
          full_name blank           | {"action":"queued","workflow_job":{"id":1,"labels":[]},"repository":{"full_name":" "}} | 'repository.full_name'
          """)
  void badBodiesAreRejectedWithTheFieldNamed(String name, String body, String expected) {
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> parser.parse(bytes, delivery))
        .isInstanceOf(InvalidPayloadException.class)
        .hasMessageContaining(expected);
  }

  @Test
  void errorMessagesNeverEchoTheBody() {
    String secretish = "{\"action\":\"queued\",\"workflow_job\":{\"id\":\"ghs_SECRETTOKEN\"}}";
    assertThatThrownBy(() -> parser.parse(secretish.getBytes(StandardCharsets.UTF_8), delivery))
        .isInstanceOf(InvalidPayloadException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("ghs_SECRETTOKEN"));
  }
}
