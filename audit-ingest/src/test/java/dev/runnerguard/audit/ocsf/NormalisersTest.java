package dev.runnerguard.audit.ocsf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.audit.Samples;
import dev.runnerguard.schemas.Topics;
import dev.runnerguard.schemas.avro.RunnerState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NormalisersTest {

  private final Samples samples = new Samples("r-1", 42L);
  private final SourcePosition pos = new SourcePosition("t", 1, 5);

  private static NormalisedEvent falco(String json) throws Exception {
    return DetectionFindingNormaliser.normaliseFalco(
        new ObjectMapper().readTree(json), new SourcePosition("falco.events", 0, 1));
  }

  /** Every event the normalisers produce, from one sample of every record type. */
  private List<NormalisedEvent> all() throws Exception {
    List<NormalisedEvent> out = new ArrayList<>();
    for (Samples.Sample s : samples.all()) {
      out.add(
          OcsfNormalisers.normalise(s.record(), new SourcePosition(s.topic().topicName(), 0, 1)));
    }
    out.add(falco(samples.falcoJson("3f2a7c4e-0000-4000-8000-000000000001")));
    out.add(
        DeadLetterNormaliser.normalise(
            new SourcePosition("runner.lifecycle.dlt.audit-runner-lifecycle", 0, 3),
            "r-1",
            new byte[] {1, 2, 3},
            Map.of("dead-letter-topic", "runner.lifecycle", "dead-letter-offset", "9"),
            Samples.T));
    return out;
  }

  @Test
  void everyEventHasTheRequiredAttributesOfItsShippedClassDefinition() throws Exception {
    List<NormalisedEvent> events = all();
    assertThat(events).hasSize(14);
    for (NormalisedEvent e : events) {
      assertThat(OcsfDefinitions.violations(e.ocsf())).as(e.ocsf().toString()).isEmpty();
      assertThat(e.ocsf().at("/metadata/product/name").asText()).isEqualTo("RunnerGuard");
      assertThat(e.ocsf().at("/metadata/uid").asText()).isEqualTo(e.eventId());
      assertThat(e.ocsf().get("class_uid").asInt()).isEqualTo(e.classUid());
      assertThat(e.ocsf().get("severity_id").asInt()).isEqualTo(e.severityId());
      assertThat(e.ocsf().get("time").asLong()).isEqualTo(e.occurredAt().toEpochMilli());
    }
    assertThat(events.stream().map(NormalisedEvent::classUid).distinct())
        .containsExactlyInAnyOrder(0, 1001, 1007, 2004, 3004, 4001, 6003);
  }

  @Test
  void lifecycleIsEntityManagementOnTheRunner() {
    var e = samples.lifecycle(RunnerState.QUARANTINED);
    NormalisedEvent n = EntityManagementNormaliser.normalise(e, pos);
    ObjectNode o = n.ocsf();
    assertThat(o.get("class_uid").asInt()).isEqualTo(3004);
    assertThat(o.get("category_uid").asInt()).isEqualTo(3);
    assertThat(o.get("activity_id").asInt()).isEqualTo(3);
    assertThat(o.get("type_uid").asLong()).isEqualTo(300403);
    assertThat(o.get("severity_id").asInt()).isEqualTo(Ocsf.SEVERITY_HIGH);
    assertThat(o.at("/entity/uid").asText()).isEqualTo("r-1");
    assertThat(o.at("/entity/data/state").asText()).isEqualTo("QUARANTINED");
    assertThat(o.at("/metadata/version").asText()).isEqualTo("1.1.0");
    assertThat(o.at("/metadata/correlation_uid").asText())
        .isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(o.at("/unmapped/runnerguard/job_id").asLong()).isEqualTo(42L);
    assertThat(o.at("/unmapped/runnerguard/runner_id").asText()).isEqualTo("r-1");
    assertThat(o.at("/unmapped/runnerguard/offset").asLong()).isEqualTo(5L);
    assertThat(n.runnerId()).isEqualTo("r-1");
    assertThat(n.jobId()).isEqualTo(42L);
    assertThat(
            EntityManagementNormaliser.normalise(samples.lifecycle(RunnerState.REQUESTED), pos)
                .ocsf()
                .get("activity_id")
                .asInt())
        .isEqualTo(1);
    assertThat(
            EntityManagementNormaliser.normalise(samples.lifecycle(RunnerState.DESTROYED), pos)
                .ocsf()
                .get("type_uid")
                .asLong())
        .isEqualTo(300404);
  }

  @Test
  void githubAndCredentialEventsAreApiActivity() {
    ObjectNode job = ApiActivityNormaliser.normalise(samples.workflowJob(), pos).ocsf();
    assertThat(job.get("class_uid").asInt()).isEqualTo(6003);
    assertThat(job.get("type_uid").asLong()).isEqualTo(600301);
    assertThat(job.at("/api/operation").asText()).isEqualTo("workflow_job.queued");
    assertThat(job.at("/api/request/uid").asText()).startsWith("d-");
    assertThat(job.at("/resources/0/uid").asText()).isEqualTo("42");

    ObjectNode cred = ApiActivityNormaliser.normalise(samples.credential(), pos).ocsf();
    assertThat(cred.at("/api/operation").asText()).isEqualTo("jit_config_minted");
    assertThat(cred.at("/resources/0/uid").asText()).isEqualTo("sha256:abcd");
    assertThat(cred.get("status_id").asInt()).isEqualTo(1);

    ObjectNode adm = ApiActivityNormaliser.normalise(samples.admission(), pos).ocsf();
    assertThat(adm.at("/api/operation").asText()).isEqualTo("admission.admit");
    assertThat(adm.at("/resources/0/data/runner_spec/isolation").asText()).isEqualTo("SANDBOX");

    ObjectNode run =
        ApiActivityNormaliser.normalise(samples.webhook("workflow_run", "requested"), pos).ocsf();
    assertThat(run.at("/api/operation").asText()).isEqualTo("workflow_run.requested");
    assertThat(run.at("/resources/0/uid").asText()).isEqualTo("7");

    ObjectNode del = ApiActivityNormaliser.normalise(samples.delivery(), pos).ocsf();
    assertThat(del.at("/api/operation").asText()).isEqualTo("webhook.delivery.workflow_job");
  }

  @Test
  void signalsSplitIntoNetworkProcessAndFileActivity() {
    NormalisedEvent net = OcsfNormalisers.normalise(samples.signal("net.connect"), pos);
    assertThat(net.classUid()).isEqualTo(4001);
    assertThat(net.ocsf().get("activity_id").asInt()).isEqualTo(1);
    assertThat(net.ocsf().at("/dst_endpoint/ip").asText()).isEqualTo("203.0.113.9");
    assertThat(net.ocsf().at("/dst_endpoint/port").asInt()).isEqualTo(3333);
    assertThat(net.ocsf().at("/src_endpoint/uid").asText()).isEqualTo("r-1");
    assertThat(net.severityId()).isEqualTo(Ocsf.SEVERITY_HIGH);
    assertThat(net.occurredAt()).isEqualTo(Samples.T);

    NormalisedEvent proc = OcsfNormalisers.normalise(samples.signal("process.exec"), pos);
    assertThat(proc.classUid()).isEqualTo(1007);
    assertThat(proc.ocsf().get("type_uid").asLong()).isEqualTo(100701);
    assertThat(proc.ocsf().at("/process/pid").asLong()).isEqualTo(1234L);
    assertThat(proc.ocsf().at("/process/file/name").asText()).isEqualTo("Runner.Listener");
    assertThat(proc.ocsf().at("/device/hostname").asText()).isEqualTo("r-1");

    NormalisedEvent file = OcsfNormalisers.normalise(samples.signal("file.read"), pos);
    assertThat(file.classUid()).isEqualTo(1001);
    assertThat(file.ocsf().at("/file/path").asText()).isEqualTo("/home/runner/.ssh/id_rsa");
    assertThat(file.ocsf().get("activity_id").asInt()).isEqualTo(2);

    NormalisedEvent gap = OcsfNormalisers.normalise(samples.signal("telemetry.gap"), pos);
    assertThat(gap.classUid()).isEqualTo(1007);
    assertThat(gap.ocsf().get("activity_id").asInt()).isEqualTo(99);
  }

  @Test
  void findingsAndFalcoAreDetectionFindings() throws Exception {
    NormalisedEvent f = OcsfNormalisers.normalise(samples.finding(), pos);
    assertThat(f.classUid()).isEqualTo(2004);
    assertThat(f.severityId()).isEqualTo(Ocsf.SEVERITY_CRITICAL);
    assertThat(f.ocsf().at("/finding_info/analytic/uid").asText()).isEqualTo("nested-runner-agent");
    assertThat(f.ocsf().at("/finding_info/related_events/0/uid").asText()).isEqualTo("s-1");
    assertThat(f.ocsf().at("/unmapped/finding/action").asText()).isEqualTo("QUARANTINE");

    NormalisedEvent falco = falco(samples.falcoJson("3f2a7c4e-0000-4000-8000-000000000001"));
    assertThat(falco.eventId()).isEqualTo("3f2a7c4e-0000-4000-8000-000000000001");
    assertThat(falco.runnerId()).isEqualTo("r-1");
    assertThat(falco.severityId()).isEqualTo(Ocsf.SEVERITY_CRITICAL);
    assertThat(falco.occurredAt()).isEqualTo(Instant.parse("2025-05-01T10:15:31.5Z"));
    assertThat(falco.ocsf().at("/finding_info/title").asText()).isEqualTo("Nested runner agent");
    assertThat(falco.ocsf().at("/finding_info/types/1").asText()).isEqualTo("T1059");

    assertThatThrownBy(() -> falco("{\"output\":\"no rule\"}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> falco("{\"rule\":\"r\",\"time\":\"yesterday\"}"))
        .isInstanceOf(IllegalArgumentException.class);
    // no uuid: a stable id from the Kafka position
    assertThat(falco("{\"rule\":\"r\"}").eventId()).isEqualTo(falco("{\"rule\":\"r\"}").eventId());
  }

  @Test
  void commandsAreRemediationOnTheRunnerAsEntityManagementInOcsf110() {
    NormalisedEvent c = OcsfNormalisers.normalise(samples.command(), pos);
    assertThat(c.classUid()).isEqualTo(3004);
    assertThat(c.ocsf().get("activity_id").asInt()).isEqualTo(99);
    assertThat(c.ocsf().get("activity_name").asText()).isEqualTo("Quarantine");
    assertThat(c.ocsf().get("type_uid").asLong()).isEqualTo(300499);
    assertThat(c.ocsf().at("/unmapped/remediation/command").asText()).isEqualTo("QUARANTINE");
    assertThat(c.ocsf().at("/unmapped/remediation/finding_id").asText()).isEqualTo("f-1");
    assertThat(c.severityId()).isEqualTo(Ocsf.SEVERITY_HIGH);
  }

  @Test
  void deadLettersAreBaseEventsWithRawBytesAndAStableId() {
    byte[] raw = "garbage".getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers =
        Map.of(
            "dead-letter-topic", "runner.signal",
            "dead-letter-partition", "2",
            "dead-letter-offset", "17",
            "dead-letter-reason", "unknown fingerprint");
    NormalisedEvent a =
        DeadLetterNormaliser.normalise(
            new SourcePosition("runner.signal.dlt.audit-runner-signal", 0, 1),
            null,
            raw,
            headers,
            Samples.T);
    NormalisedEvent b =
        DeadLetterNormaliser.normalise(
            new SourcePosition("runner.signal.dlt.audit-runner-signal", 0, 9),
            null,
            raw,
            headers,
            Samples.T);
    assertThat(a.eventId()).isEqualTo(b.eventId());
    assertThat(a.deadLettered()).isTrue();
    assertThat(a.classUid()).isZero();
    assertThat(a.ocsf().get("raw_data").asText()).isEqualTo("Z2FyYmFnZQ==");
    assertThat(a.ocsf().at("/unmapped/runnerguard/dead_lettered").asBoolean()).isTrue();
    assertThat(a.ocsf().at("/unmapped/runnerguard/dead_letter/origin").asText())
        .isEqualTo("runner.signal-2@17");
    assertThat(a.ocsf().at("/unmapped/runnerguard/dead_letter/reason").asText())
        .isEqualTo("unknown fingerprint");
  }

  @Test
  void everyConsumedTopicButTheOcsfTopicHasADecoderOrIsFalco() {
    for (Topics t : Topics.values()) {
      if (OcsfNormalisers.consumed(t) && t != Topics.FALCO_EVENTS) {
        assertThat(dev.runnerguard.schemas.Schemas.valueType(t)).as(t.name()).isPresent();
      }
    }
    assertThat(OcsfNormalisers.consumed(Topics.AUDIT_OCSF)).isFalse();
  }
}
