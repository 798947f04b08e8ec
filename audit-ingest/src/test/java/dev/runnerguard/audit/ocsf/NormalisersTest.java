package dev.runnerguard.audit.ocsf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.audit.Samples;
import dev.runnerguard.schemas.Topics;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.ProviderEventKind;
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
    assertThat(events).hasSize(16);
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
  void aLifecycleReasonAndAttributesAreStoredWithoutCredentials() {
    String pat = "ghs_" + "b".repeat(36);
    var e = samples.lifecycle(RunnerState.FAILED);
    e.setReason("provision failed: ./config.sh --token AAAA1234 --url https://github.test " + pat);
    e.setAttributes(
        Map.of("jitConfig", "eyJhbGciOi", "step", "network-cut", "log", "GITHUB_TOKEN=s3cr3t ok"));
    ObjectNode o = EntityManagementNormaliser.normalise(e, pos).ocsf();

    assertThat(o.toString()).doesNotContain("AAAA1234", pat, "eyJhbGciOi", "s3cr3t");
    assertThat(o.get("comment").asText())
        .isEqualTo(
            "provision failed: ./config.sh --token [REDACTED] --url https://github.test [REDACTED]");
    assertThat(o.at("/entity/data/attributes/step").asText()).isEqualTo("network-cut");
    assertThat(o.at("/entity/data/attributes/jitConfig").asText()).isEqualTo("[REDACTED]");
    assertThat(o.at("/entity/data/attributes/log").asText())
        .isEqualTo("GITHUB_TOKEN=[REDACTED] ok");
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

  /** What every provider event carries, whatever its kind. */
  private void assertProviderEvent(ProviderEvent e, NormalisedEvent n, int activity, int severity) {
    ObjectNode o = n.ocsf();
    assertThat(OcsfDefinitions.violations(o)).as(o.toString()).isEmpty();
    assertThat(n.classUid()).as(e.getKind().name()).isEqualTo(3004);
    assertThat(o.get("class_name").asText()).isEqualTo("Entity Management");
    assertThat(o.get("category_uid").asInt()).isEqualTo(3);
    assertThat(o.get("activity_id").asInt()).as(e.getKind().name()).isEqualTo(activity);
    assertThat(o.get("type_uid").asLong()).isEqualTo(300400L + activity);
    assertThat(o.get("type_name").asText())
        .isEqualTo("Entity Management: " + o.get("activity_name").asText());
    assertThat(o.get("severity_id").asInt()).as(e.getKind().name()).isEqualTo(severity);
    assertThat(n.severityId()).isEqualTo(severity);
    assertThat(o.get("time").asLong()).isEqualTo(e.getMetadata().getTime().toEpochMilli());
    assertThat(n.occurredAt()).isEqualTo(e.getMetadata().getTime());
    assertThat(n.eventId()).isEqualTo(e.getMetadata().getEventId());
    assertThat(o.at("/metadata/uid").asText()).isEqualTo(e.getMetadata().getEventId());
    assertThat(o.at("/metadata/version").asText()).isEqualTo("1.1.0");
    assertThat(o.at("/metadata/product/feature/name").asText()).isEqualTo("test");
    assertThat(o.at("/metadata/log_name").asText()).isEqualTo("t");
    assertThat(o.at("/metadata/correlation_uid").asText())
        .isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(o.at("/actor/app_name").asText()).isEqualTo("test");
    assertThat(o.at("/entity/type").asText()).isEqualTo("runner");
    assertThat(o.at("/entity/uid").asText()).isEqualTo("r-1");
    assertThat(o.at("/entity/name").asText()).isEqualTo("r-1");
    assertThat(o.at("/unmapped/runnerguard/runner_id").asText()).isEqualTo("r-1");
    assertThat(o.at("/unmapped/runnerguard/job_id").asLong()).isEqualTo(42L);
    assertThat(o.at("/unmapped/runnerguard/run_id").asLong()).isEqualTo(7L);
    assertThat(o.at("/unmapped/runnerguard/delivery_id").asText()).startsWith("d-");
    assertThat(o.at("/unmapped/runnerguard/traceparent").asText()).startsWith("00-0af76519");
    assertThat(o.at("/unmapped/runnerguard/offset").asLong()).isEqualTo(5L);
    assertThat(o.at("/unmapped/runnerguard/partition").asInt()).isEqualTo(1);
    assertThat(n.runnerId()).isEqualTo("r-1");
    assertThat(n.jobId()).isEqualTo(42L);
    assertThat(n.deadLettered()).isFalse();
    if (e.getDetail() == null) {
      assertThat(o.has("comment")).isFalse();
    } else {
      assertThat(o.get("comment").asText()).isEqualTo(e.getDetail());
    }
    assertThat(o.get("message").asText()).startsWith("runner r-1 ").endsWith(" at local-sandbox");
  }

  @Test
  void providerLifecycleKindsAreEntityManagementOnTheRunner() {
    record Expected(ProviderEventKind kind, int activity, int severity, Integer statusId) {}
    List<Expected> table =
        List.of(
            new Expected(ProviderEventKind.PROVISIONED, 1, Ocsf.SEVERITY_INFORMATIONAL, 1),
            new Expected(ProviderEventKind.PROVISION_FAILED, 1, Ocsf.SEVERITY_LOW, 2),
            new Expected(ProviderEventKind.RUNNING, 3, Ocsf.SEVERITY_INFORMATIONAL, null),
            new Expected(ProviderEventKind.EXITED, 3, Ocsf.SEVERITY_INFORMATIONAL, null),
            new Expected(ProviderEventKind.NOT_FOUND, 99, Ocsf.SEVERITY_LOW, null),
            new Expected(ProviderEventKind.DESTROYED, 4, Ocsf.SEVERITY_INFORMATIONAL, 1),
            new Expected(ProviderEventKind.DESTROY_FAILED, 4, Ocsf.SEVERITY_MEDIUM, 2));
    for (Expected x : table) {
      ProviderEvent e = samples.providerEvent(x.kind());
      NormalisedEvent n = OcsfNormalisers.normalise(e, pos);
      assertProviderEvent(e, n, x.activity(), x.severity());
      ObjectNode o = n.ocsf();
      assertThat(o.at("/entity/data/kind").asText()).isEqualTo(x.kind().name());
      assertThat(o.at("/entity/data/provider").asText()).isEqualTo("local-sandbox");
      assertThat(o.at("/entity/data/retriable").asBoolean()).isEqualTo(e.getRetriable());
      e.getAttributes()
          .forEach(
              (k, v) -> assertThat(o.at("/entity/data/attributes/" + k).asText()).isEqualTo(v));
      e.getDurations()
          .forEach(
              (k, v) -> {
                assertThat(o.at("/unmapped/durations_ms/" + k).isIntegralNumber()).isTrue();
                assertThat(o.at("/unmapped/durations_ms/" + k).asLong()).isEqualTo(v);
              });
      assertThat(o.at("/unmapped/remediation").isMissingNode()).isTrue();
      if (x.statusId() == null) {
        assertThat(o.has("status_id")).as(x.kind().name()).isFalse();
      } else {
        assertThat(o.get("status_id").asInt()).as(x.kind().name()).isEqualTo(x.statusId());
        assertThat(o.get("status").asText()).isEqualTo(x.statusId() == 1 ? "Success" : "Failure");
      }
    }
    assertThat(
            OcsfNormalisers.normalise(samples.providerEvent(ProviderEventKind.PROVISIONED), pos)
                .ocsf()
                .at("/entity/data/attributes/githubRunnerId")
                .asText())
        .isEqualTo("77");
    // a provisioning failure that will not be retried is a runner that never came: higher
    ProviderEvent permanent = samples.providerEvent(ProviderEventKind.PROVISION_FAILED);
    permanent.setRetriable(false);
    assertThat(OcsfNormalisers.normalise(permanent, pos).severityId())
        .isEqualTo(Ocsf.SEVERITY_MEDIUM);
  }

  @Test
  void quarantineStepsAreRemediationInTheClassCommandsUse() {
    int commandClass = OcsfNormalisers.normalise(samples.command(), pos).classUid();
    record Step(String step, int activity, String name) {}
    for (Step x :
        List.of(
            new Step("network-cut", 99, "Network Cut"),
            new Step("frozen", 99, "Freeze"),
            new Step("evidence-captured", 2, "Read"),
            new Step("deregistered", 99, "Deregister"),
            new Step("credentials-revoked", 99, "Revoke Credentials"),
            new Step("destroyed", 4, "Delete"),
            new Step("something-new", 99, "Quarantine Step"))) {
      ProviderEvent e = samples.quarantineStep(x.step(), x.step(), "APPLIED");
      NormalisedEvent n = OcsfNormalisers.normalise(e, pos);
      assertProviderEvent(e, n, x.activity(), Ocsf.SEVERITY_MEDIUM);
      ObjectNode o = n.ocsf();
      assertThat(n.classUid()).isEqualTo(commandClass);
      assertThat(o.get("activity_name").asText()).isEqualTo(x.name());
      assertThat(o.get("status_id").asInt()).isEqualTo(1);
      assertThat(o.at("/entity/data").isMissingNode()).isTrue();
      assertThat(o.at("/unmapped/remediation/kind").asText()).isEqualTo("QUARANTINE_STEP");
      assertThat(o.at("/unmapped/remediation/step").asText()).isEqualTo(x.step());
      assertThat(o.at("/unmapped/remediation/provider").asText()).isEqualTo("local-sandbox");
      assertThat(o.at("/unmapped/remediation/attributes/outcome").asText()).isEqualTo("APPLIED");
      assertThat(o.at("/unmapped/remediation/durations_ms/sinceQuarantine").asLong())
          .isEqualTo(80L);
      assertThat(o.get("message").asText())
          .isEqualTo("runner r-1 quarantine step " + x.step() + " at local-sandbox");
    }
    // a step that failed leaves the runner half-quarantined: higher, and a Failure
    for (ProviderEvent failed :
        List.of(
            samples.quarantineStep("network-cut", "network cut", "failed: nft missing"),
            samples.quarantineStep("evidence-failed", "evidence", "failed: disk full"))) {
      NormalisedEvent n = OcsfNormalisers.normalise(failed, pos);
      assertProviderEvent(failed, n, n.ocsf().get("activity_id").asInt(), Ocsf.SEVERITY_HIGH);
      assertThat(n.ocsf().get("status_id").asInt()).isEqualTo(2);
      assertThat(n.ocsf().get("status").asText()).isEqualTo("Failure");
    }
    assertThat(
            OcsfNormalisers.normalise(
                    samples.quarantineStep("evidence-failed", "evidence", "failed: x"), pos)
                .ocsf()
                .get("activity_id")
                .asInt())
        .isEqualTo(2);

    ProviderEvent done = samples.providerEvent(ProviderEventKind.QUARANTINE_DONE);
    NormalisedEvent n = OcsfNormalisers.normalise(done, pos);
    assertProviderEvent(done, n, 99, Ocsf.SEVERITY_MEDIUM);
    assertThat(n.classUid()).isEqualTo(commandClass);
    assertThat(n.ocsf().get("activity_name").asText()).isEqualTo("Quarantine Done");
    assertThat(n.ocsf().get("status_id").asInt()).isEqualTo(1);
    assertThat(n.ocsf().at("/unmapped/remediation/kind").asText()).isEqualTo("QUARANTINE_DONE");
    assertThat(n.ocsf().at("/unmapped/remediation/step").isMissingNode()).isTrue();
    assertThat(n.ocsf().at("/unmapped/remediation/durations_ms/quarantineTotal").asLong())
        .isEqualTo(900L);
    assertThat(n.ocsf().at("/unmapped/remediation/attributes/evidenceDir").asText())
        .isEqualTo("/var/lib/runnerguard/evidence/r-1");
  }

  @Test
  void otherProviderKindsAreEntityManagementOther() {
    record Expected(ProviderEventKind kind, String name, int severity) {}
    for (Expected x :
        List.of(
            new Expected(ProviderEventKind.JOB_TAKEN, "Job Taken", Ocsf.SEVERITY_INFORMATIONAL),
            new Expected(ProviderEventKind.JOB_STATUS, "Job Status", Ocsf.SEVERITY_INFORMATIONAL),
            new Expected(ProviderEventKind.UNKNOWN, "Other", Ocsf.SEVERITY_UNKNOWN),
            new Expected(ProviderEventKind.INVENTORY, "Inventory", Ocsf.SEVERITY_INFORMATIONAL),
            new Expected(ProviderEventKind.TICK, "Tick", Ocsf.SEVERITY_INFORMATIONAL))) {
      ProviderEvent e = samples.providerEvent(x.kind());
      NormalisedEvent n = OcsfNormalisers.normalise(e, pos);
      assertProviderEvent(e, n, 99, x.severity());
      assertThat(n.ocsf().get("activity_name").asText()).isEqualTo(x.name());
      assertThat(n.ocsf().has("status_id")).isFalse();
      assertThat(n.ocsf().at("/entity/data/kind").asText()).isEqualTo(x.kind().name());
    }
    NormalisedEvent taken =
        OcsfNormalisers.normalise(samples.providerEvent(ProviderEventKind.JOB_TAKEN), pos);
    assertThat(taken.ocsf().at("/entity/data/attributes/takenBy").asText()).isEqualTo("r-1-other");
    // INVENTORY carries no job id of its own: the correlation's is the column
    ProviderEvent inventory = samples.providerEvent(ProviderEventKind.INVENTORY);
    assertThat(inventory.getJobId()).isNull();
    assertThat(OcsfNormalisers.normalise(inventory, pos).jobId()).isEqualTo(42L);
  }

  @Test
  void periodicProviderKindsAreCountedNotStored() {
    for (ProviderEventKind kind : ProviderEventKind.values()) {
      boolean periodic = kind == ProviderEventKind.INVENTORY || kind == ProviderEventKind.TICK;
      assertThat(ProviderEventNormaliser.stored(kind)).as(kind.name()).isEqualTo(!periodic);
      assertThat(OcsfNormalisers.notStored(samples.providerEvent(kind)))
          .as(kind.name())
          .isEqualTo(periodic ? kind.name() : null);
    }
    for (Samples.Sample s : samples.all()) {
      assertThat(OcsfNormalisers.notStored(s.record())).isNull();
    }
  }

  @Test
  void providerDetailAndAttributesCarryNoSecret() {
    String token = "ghs_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";
    String jit = "eyJ" + "QUJD".repeat(100);
    ProviderEvent e = samples.providerEvent(ProviderEventKind.PROVISION_FAILED);
    e.setDetail(
        "local-sandbox r-1 provision (start): the sandbox failed to start (exit 1): "
            + "config.sh --token "
            + token
            + " --jitconfig "
            + jit
            + " https://x-access-token:"
            + token
            + "@github.com/acme/app");
    e.setAttributes(
        Map.of(
            "token", "plain-looking-value",
            "jitConfig", "short",
            "outcome", "failed: Authorization: Bearer abc.def",
            "evidenceManifestSha256",
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"));
    String json = new String(OcsfNormalisers.normalise(e, pos).canonical(), StandardCharsets.UTF_8);
    assertThat(json)
        .doesNotContain(token)
        .doesNotContain(jit.substring(0, 60))
        .doesNotContain("plain-looking-value")
        .doesNotContain("abc.def")
        .contains("the sandbox failed to start (exit 1)")
        .contains("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    ObjectNode o = OcsfNormalisers.normalise(e, pos).ocsf();
    assertThat(o.at("/entity/data/attributes/token").asText()).isEqualTo(Redaction.REDACTED);
    assertThat(o.at("/entity/data/attributes/jitConfig").asText()).isEqualTo(Redaction.REDACTED);

    ProviderEvent step = samples.quarantineStep("deregistered", "deregistered", "APPLIED");
    step.setDetail("deregistered and run cancelled: failed: token " + token + " refused");
    assertThat(new String(OcsfNormalisers.normalise(step, pos).canonical(), StandardCharsets.UTF_8))
        .doesNotContain(token);
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
