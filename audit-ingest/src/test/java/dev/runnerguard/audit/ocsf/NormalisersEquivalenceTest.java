package dev.runnerguard.audit.ocsf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runnerguard.audit.Samples;
import dev.runnerguard.schemas.avro.AdmissionDecision;
import dev.runnerguard.schemas.avro.CommandType;
import dev.runnerguard.schemas.avro.Correlation;
import dev.runnerguard.schemas.avro.CredentialAction;
import dev.runnerguard.schemas.avro.CredentialAuditEvent;
import dev.runnerguard.schemas.avro.CredentialOutcome;
import dev.runnerguard.schemas.avro.CredentialType;
import dev.runnerguard.schemas.avro.Decision;
import dev.runnerguard.schemas.avro.DeliveryReceipt;
import dev.runnerguard.schemas.avro.EventMetadata;
import dev.runnerguard.schemas.avro.Finding;
import dev.runnerguard.schemas.avro.FindingAction;
import dev.runnerguard.schemas.avro.GitHubWebhookEvent;
import dev.runnerguard.schemas.avro.Isolation;
import dev.runnerguard.schemas.avro.NetworkInfo;
import dev.runnerguard.schemas.avro.ProcessInfo;
import dev.runnerguard.schemas.avro.ProducerInfo;
import dev.runnerguard.schemas.avro.ProviderEvent;
import dev.runnerguard.schemas.avro.ProviderEventKind;
import dev.runnerguard.schemas.avro.RunnerCommand;
import dev.runnerguard.schemas.avro.RunnerLifecycleEvent;
import dev.runnerguard.schemas.avro.RunnerSpec;
import dev.runnerguard.schemas.avro.RunnerState;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.avro.Severity;
import dev.runnerguard.schemas.avro.SignalSource;
import dev.runnerguard.schemas.avro.TraceContext;
import dev.runnerguard.schemas.avro.WorkflowJobEvent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * The normalisers write canonical bytes straight ({@link dev.runnerguard.audit.chain
 * .CanonicalWriter}); before, they built a Jackson tree that {@link
 * dev.runnerguard.audit.chain.CanonicalJson} then wrote. What is stored and hashed must not change:
 * every event here goes through both, the new normalisers and the old tree-building ones (kept
 * unchanged in {@code ocsf.tree}), and gives the same columns and the same canonical bytes, byte
 * for byte: the samples of every record type, the benchmark's event mix, and many random records
 * (odd text: quotes, backslashes, control characters, non-ASCII, unpaired surrogates; nulls in
 * every optional field; extreme numbers; maps), Falco alerts with arbitrary JSON and dead letters.
 */
class NormalisersEquivalenceTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static void assertSame(NormalisedEvent now, NormalisedEvent tree) {
    assertThat(new String(now.canonical(), StandardCharsets.UTF_8))
        .isEqualTo(new String(tree.canonical(), StandardCharsets.UTF_8));
    assertThat(now.canonical()).isEqualTo(tree.canonical());
    assertThat(now.eventId()).isEqualTo(tree.eventId());
    assertThat(now.position()).isEqualTo(tree.position());
    assertThat(now.occurredAt()).isEqualTo(tree.occurredAt());
    assertThat(now.classUid()).isEqualTo(tree.classUid());
    assertThat(now.severityId()).isEqualTo(tree.severityId());
    assertThat(now.runnerId()).isEqualTo(tree.runnerId());
    assertThat(now.jobId()).isEqualTo(tree.jobId());
    assertThat(now.deadLettered()).isEqualTo(tree.deadLettered());
  }

  private static void assertSame(SpecificRecord r, SourcePosition pos) {
    assertSame(
        OcsfNormalisers.normalise(r, pos),
        dev.runnerguard.audit.ocsf.tree.OcsfNormalisers.normalise(r, pos));
  }

  @Test
  void samplesOfEveryRecordType() throws Exception {
    Samples samples = new Samples("r-1", 42L);
    for (Samples.Sample s : samples.all()) {
      assertSame(s.record(), new SourcePosition(s.topic().topicName(), 3, 99));
    }
    for (RunnerState state : RunnerState.values()) {
      assertSame(samples.lifecycle(state), new SourcePosition("runner.lifecycle", 0, 1));
    }
    SourcePosition pp = new SourcePosition("runner.provider-event", 2, 3);
    for (ProviderEventKind kind : ProviderEventKind.values()) {
      assertSame(samples.providerEvent(kind), pp);
    }
    for (String step :
        List.of(
            "network-cut",
            "frozen",
            "evidence-captured",
            "evidence-failed",
            "deregistered",
            "credentials-revoked",
            "destroyed",
            "other")) {
      assertSame(samples.quarantineStep(step, step, "APPLIED"), pp);
      assertSame(samples.quarantineStep(step, step, "failed: x"), pp);
    }
    for (String kind :
        List.of(
            "net.connect",
            "net.refused",
            "dns.query",
            "process.exec",
            "process.exit",
            "process.ptrace",
            "process.memory-read",
            "telemetry.gap",
            "file.create",
            "file.read",
            "file.write",
            "file.delete",
            "file.chmod")) {
      assertSame(samples.signal(kind), new SourcePosition("runner.signal", 1, 2));
    }
    JsonNode falco = JSON.readTree(samples.falcoJson("3f2a7c4e-0000-4000-8000-000000000001"));
    SourcePosition fp = new SourcePosition("falco.events", 0, 1);
    assertSame(
        DetectionFindingNormaliser.normaliseFalco(falco, fp),
        dev.runnerguard.audit.ocsf.tree.DetectionFindingNormaliser.normaliseFalco(falco, fp));
  }

  /** The benchmark's mix (bench AuditEvents): net/process/file signals, lifecycle, findings. */
  @Test
  void theBenchmarkMix() {
    RunnerState[] states = {
      RunnerState.PROVISIONING, RunnerState.IDLE, RunnerState.BUSY, RunnerState.COMPLETED
    };
    for (long i = 0; i < 2000; i++) {
      String runner = "r-bench-" + (i % 1000);
      long job = 5_000_000L + i / 10;
      EventMetadata meta =
          EventMetadata.newBuilder()
              .setEventId(UUID.randomUUID().toString())
              .setTime(Instant.ofEpochMilli(1_764_000_000_000L + i))
              .setProducer(new ProducerInfo("bench", "1.0"))
              .setTrace(
                  new TraceContext("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null))
              .setCorrelation(new Correlation("d-" + UUID.randomUUID(), job, 7L, runner))
              .build();
      int slot = (int) (i % 10);
      SpecificRecord r;
      if (slot < 6) {
        String kind = slot < 2 ? "net.connect" : slot < 4 ? "process.exec" : "file.read";
        r =
            SecuritySignal.newBuilder()
                .setMetadata(meta)
                .setSignalId("s-" + i)
                .setSource(SignalSource.FALCO)
                .setKind(kind)
                .setObservedAt(Instant.ofEpochMilli(1_764_000_000_000L + 3 * i))
                .setRunnerId(runner)
                .setSeverity(Severity.MEDIUM)
                .setRule("bench rule " + slot)
                .setProcess(
                    ProcessInfo.newBuilder()
                        .setPid(1000L + slot)
                        .setParentPid(1L)
                        .setExecutable("/usr/bin/curl")
                        .setCommandLine("curl -s https://example.com/install.sh")
                        .setUser("runner")
                        .build())
                .setNetwork(
                    kind.startsWith("net.")
                        ? NetworkInfo.newBuilder()
                            .setProtocol("tcp")
                            .setDestinationHost("example.com")
                            .setDestinationAddress("93.184.216.34")
                            .setDestinationPort(443)
                            .build()
                        : null)
                .setFilePath(kind.startsWith("file.") ? "/home/runner/work/repo/README.md" : null)
                .build();
      } else if (slot < 9) {
        r =
            RunnerLifecycleEvent.newBuilder()
                .setMetadata(meta)
                .setRunnerId(runner)
                .setRunnerName("rg-" + runner)
                .setState(states[(int) (i % states.length)])
                .setPreviousState(RunnerState.REQUESTED)
                .setJobId(job)
                .setRunnerClass("private-linux")
                .setProvider("local-sandbox")
                .setDurations(Map.of("boot", 1200L))
                .build();
      } else {
        r =
            Finding.newBuilder()
                .setMetadata(meta)
                .setFindingId("f-" + i)
                .setRuleId("egress-outside-allowlist")
                .setTitle("Egress outside the job's allowlist")
                .setSeverity(Severity.HIGH)
                .setRunnerId(runner)
                .setJobId(job)
                .setSignalIds(List.of("s-" + (i - 1)))
                .setAction(FindingAction.QUARANTINE)
                .build();
      }
      assertSame(r, new SourcePosition("runner.signal", (int) (i % 3), i));
    }
  }

  @Test
  void randomRecordsWithOddValues() {
    Gen g = new Gen(new Random(20261127L));
    for (int i = 0; i < 3000; i++) {
      SourcePosition pos =
          new SourcePosition(g.text(), g.r.nextInt(Integer.MAX_VALUE), g.r.nextLong() >>> 1);
      for (SpecificRecord r : g.records()) {
        assertSame(r, pos);
      }
    }
  }

  @Test
  void randomFalcoAlertsAndDeadLetters() throws Exception {
    Gen g = new Gen(new Random(7L));
    String[] priorities = {"Emergency", "alert", "Critical", "error", "Warning", "notice", "x", ""};
    for (int i = 0; i < 1500; i++) {
      ObjectNode f = JSON.createObjectNode();
      f.put("rule", g.text());
      if (g.r.nextBoolean()) {
        f.put("uuid", g.text());
      }
      if (g.r.nextBoolean()) {
        f.put("time", Instant.ofEpochMilli(g.r.nextLong() % 4_000_000_000_000L).toString());
      }
      if (g.r.nextBoolean()) {
        f.put("priority", priorities[g.r.nextInt(priorities.length)]);
      }
      if (g.r.nextBoolean()) {
        f.put("output", g.text());
      } else if (g.r.nextBoolean()) {
        f.putNull("output");
      }
      if (g.r.nextBoolean()) {
        ArrayNode tags = f.putArray("tags");
        for (int t = g.r.nextInt(4); t > 0; t--) {
          tags.add(g.text());
        }
      } else if (g.r.nextBoolean()) {
        f.put("tags", g.text());
      }
      if (g.r.nextBoolean()) {
        f.put("hostname", g.text());
      }
      ObjectNode fields = f.putObject("output_fields");
      if (g.r.nextBoolean()) {
        fields.put("runnerguard.runner_id", g.text());
      }
      if (g.r.nextBoolean()) {
        fields.put("k8s.pod.name", g.text());
      }
      g.randomJson(fields, 3);
      g.randomJson(f, 2);
      // (not through bytes: Jackson refuses to parse back the unpaired surrogates it writes)
      JsonNode falco = f;
      SourcePosition pos = new SourcePosition("falco.events", g.r.nextInt(8), i);
      assertSame(
          DetectionFindingNormaliser.normaliseFalco(falco, pos),
          dev.runnerguard.audit.ocsf.tree.DetectionFindingNormaliser.normaliseFalco(falco, pos));

      Map<String, String> headers = new HashMap<>();
      if (g.r.nextBoolean()) {
        headers.put(DeadLetterNormaliser.HEADER_TOPIC, g.text());
        headers.put(DeadLetterNormaliser.HEADER_OFFSET, g.text());
      }
      if (g.r.nextBoolean()) {
        headers.put(DeadLetterNormaliser.HEADER_REASON, g.text());
      }
      byte[] value = g.r.nextInt(5) == 0 ? null : g.text().getBytes(StandardCharsets.UTF_8);
      String key = g.nullable(g::text);
      Instant ts = Instant.ofEpochMilli(Math.abs(g.r.nextLong() % 4_000_000_000_000L));
      SourcePosition dlt = new SourcePosition(g.text() + ".dlt.x", g.r.nextInt(3), i);
      assertSame(
          DeadLetterNormaliser.normalise(dlt, key, value, headers, ts),
          dev.runnerguard.audit.ocsf.tree.DeadLetterNormaliser.normalise(
              dlt, key, value, headers, ts));
    }
  }

  /** Random values, odd on purpose. */
  private static final class Gen {
    final Random r;

    Gen(Random r) {
      this.r = r;
    }

    private static final String[] PIECES = {
      "a",
      "Z",
      "0",
      " ",
      "-",
      "_",
      ".",
      "/",
      ":",
      "\"",
      "\\",
      "\\\\",
      "\b",
      "\f",
      "\n",
      "\r",
      "\t",
      "\u0000",
      "\u0001",
      "\u001f",
      "\u007f",
      "\u0080",
      "é",
      "ü",
      "\u07ff",
      "\u0800",
      "✓",
      "\uffff",
      "\ud83d\ude00",
      "\ud83d",
      "\ude00",
      "\u2028",
      "null",
      "{}",
      "[",
      "00-",
      "-x-",
      "0af7651916cd43dd8448eb211c80319c"
    };

    String text() {
      int n = r.nextInt(6) == 0 ? 0 : r.nextInt(12);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < n; i++) {
        sb.append(PIECES[r.nextInt(PIECES.length)]);
      }
      return sb.toString();
    }

    <T> T nullable(Supplier<T> s) {
      return r.nextInt(4) == 0 ? null : s.get();
    }

    long anyLong() {
      switch (r.nextInt(6)) {
        case 0:
          return Long.MAX_VALUE;
        case 1:
          return Long.MIN_VALUE;
        case 2:
          return 0;
        case 3:
          return -r.nextInt(1000);
        default:
          return r.nextLong();
      }
    }

    int anyInt() {
      switch (r.nextInt(4)) {
        case 0:
          return Integer.MAX_VALUE;
        case 1:
          return Integer.MIN_VALUE;
        default:
          return r.nextInt();
      }
    }

    Instant time() {
      return Instant.ofEpochMilli(r.nextLong() % 10_000_000_000_000L);
    }

    <E> E pick(E[] values) {
      return values[r.nextInt(values.length)];
    }

    Map<String, String> strings() {
      Map<String, String> m = new LinkedHashMap<>();
      for (int i = r.nextInt(5); i > 0; i--) {
        m.put(text(), text());
      }
      return m;
    }

    Map<String, Long> longs() {
      Map<String, Long> m = new LinkedHashMap<>();
      for (int i = r.nextInt(4); i > 0; i--) {
        m.put(text(), anyLong());
      }
      return m;
    }

    List<String> list() {
      List<String> l = new ArrayList<>();
      for (int i = r.nextInt(4); i > 0; i--) {
        l.add(text());
      }
      return l;
    }

    EventMetadata meta() {
      String traceparent;
      switch (r.nextInt(5)) {
        case 0:
          traceparent = null;
          break;
        case 1:
          traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
          break;
        case 2:
          String id = "0af7651916cd43dd8448eb211c80319c";
          String[] odd = {
            "-" + id + "-x",
            "a-" + id + "-",
            "a-" + id + "--",
            "a-" + id + "--x",
            "a-" + id + "-x",
            "-" + id + "-",
            id,
            "a-" + id,
            "a--" + id + "-x",
            "---",
            "",
            "-",
            id + "-" + id + "-1"
          };
          traceparent = pick(odd);
          break;
        default:
          traceparent = text();
      }
      return EventMetadata.newBuilder()
          .setEventId(text())
          .setTime(time())
          .setProducer(new ProducerInfo(text(), text()))
          .setTrace(new TraceContext(traceparent, nullable(this::text)))
          .setCorrelation(
              new Correlation(
                  nullable(this::text),
                  nullable(this::anyLong),
                  nullable(this::anyLong),
                  nullable(this::text)))
          .build();
    }

    /** Attributes of a provider event: random, sometimes a known or odd step and outcome. */
    Map<String, String> providerAttributes() {
      Map<String, String> m = strings();
      String[] steps = {
        "network-cut", "frozen", "evidence-captured", "evidence-failed", "destroyed"
      };
      if (r.nextBoolean()) {
        m.put("step", r.nextBoolean() ? pick(steps) : text());
      }
      if (r.nextBoolean()) {
        String[] outcomes = {"APPLIED", "NOOP", "failed: " + text(), "failed", text()};
        m.put("outcome", pick(outcomes));
      }
      if (r.nextInt(4) == 0) {
        m.put(r.nextBoolean() ? "token" : "x" + text(), "ghs_" + "A".repeat(36) + text());
      }
      return m;
    }

    String kind() {
      String[] kinds = {
        "net.connect",
        "net.refused",
        "net.",
        "dns.q",
        "process.exec",
        "process.exit",
        "process.ptrace",
        "process.memory-read",
        "file.create",
        "file.read",
        "file.write",
        "file.delete",
        "file.",
        "telemetry.gap"
      };
      return r.nextInt(5) == 0 ? text() : pick(kinds);
    }

    List<SpecificRecord> records() {
      List<SpecificRecord> out = new ArrayList<>();
      ProcessInfo proc =
          r.nextInt(3) == 0
              ? null
              : ProcessInfo.newBuilder()
                  .setPid(nullable(this::anyLong))
                  .setParentPid(nullable(this::anyLong))
                  .setExecutable(nullable(this::text))
                  .setCommandLine(nullable(this::text))
                  .setUser(nullable(this::text))
                  .build();
      NetworkInfo net =
          r.nextInt(3) == 0
              ? null
              : NetworkInfo.newBuilder()
                  .setProtocol(nullable(this::text))
                  .setDestinationHost(nullable(this::text))
                  .setDestinationAddress(nullable(this::text))
                  .setDestinationPort(nullable(this::anyInt))
                  .build();
      out.add(
          SecuritySignal.newBuilder()
              .setMetadata(meta())
              .setSignalId(text())
              .setSource(pick(SignalSource.values()))
              .setKind(kind())
              .setObservedAt(time())
              .setRunnerId(nullable(this::text))
              .setSeverity(pick(Severity.values()))
              .setRule(nullable(this::text))
              .setProcess(proc)
              .setNetwork(net)
              .setFilePath(nullable(this::text))
              .setAttributes(strings())
              .build());
      out.add(
          RunnerLifecycleEvent.newBuilder()
              .setMetadata(meta())
              .setRunnerId(text())
              .setRunnerName(nullable(this::text))
              .setState(pick(RunnerState.values()))
              .setPreviousState(nullable(() -> pick(RunnerState.values())))
              .setJobId(nullable(this::anyLong))
              .setRunnerClass(text())
              .setProvider(text())
              .setPolicyVersion(nullable(this::text))
              .setReason(nullable(this::text))
              .setDurations(longs())
              .setAttributes(strings())
              .build());
      out.add(
          Finding.newBuilder()
              .setMetadata(meta())
              .setFindingId(text())
              .setRuleId(text())
              .setTitle(text())
              .setDescription(nullable(this::text))
              .setSeverity(pick(Severity.values()))
              .setRunnerId(nullable(this::text))
              .setJobId(nullable(this::anyLong))
              .setRepositoryFullName(nullable(this::text))
              .setSignalIds(list())
              .setAction(pick(FindingAction.values()))
              .setAuditMode(r.nextBoolean())
              .setPolicyVersion(nullable(this::text))
              .setAttributes(strings())
              .build());
      out.add(
          RunnerCommand.newBuilder()
              .setMetadata(meta())
              .setCommandId(text())
              .setCommand(pick(CommandType.values()))
              .setRunnerId(text())
              .setJobId(nullable(this::anyLong))
              .setFindingId(nullable(this::text))
              .setReason(text())
              .setRequestedBy(text())
              .setAttributes(strings())
              .build());
      out.add(
          WorkflowJobEvent.newBuilder()
              .setMetadata(meta())
              .setAction(r.nextBoolean() ? "queued" : text())
              .setJobId(anyLong())
              .setRunId(nullable(this::anyLong))
              .setRunAttempt(anyInt())
              .setRepositoryFullName(text())
              .setRepositoryPrivate(nullable(r::nextBoolean))
              .setRepositoryFork(nullable(r::nextBoolean))
              .setOrganization(nullable(this::text))
              .setInstallationId(nullable(this::anyLong))
              .setLabels(list())
              .setStatus(nullable(this::text))
              .setConclusion(nullable(this::text))
              .setRunnerName(nullable(this::text))
              .setRunnerGroupName(nullable(this::text))
              .setWorkflowName(nullable(this::text))
              .setJobName(nullable(this::text))
              .setHeadBranch(nullable(this::text))
              .setHeadSha(nullable(this::text))
              .setRunnerId(nullable(this::anyLong))
              .setRunnerGroupId(nullable(this::anyLong))
              .setCreatedAt(nullable(this::time))
              .setStartedAt(nullable(this::time))
              .setCompletedAt(nullable(this::time))
              .setRawBody(ByteBuffer.wrap(new byte[] {1}))
              .build());
      String[] actions = {"deleted", "created", "requested", "completed"};
      out.add(
          GitHubWebhookEvent.newBuilder()
              .setMetadata(meta())
              .setEvent(text())
              .setAction(nullable(() -> r.nextBoolean() ? pick(actions) : text()))
              .setInstallationId(nullable(this::anyLong))
              .setOrganization(nullable(this::text))
              .setRepositoryFullName(nullable(this::text))
              .setRunId(nullable(this::anyLong))
              .setRawBody(ByteBuffer.wrap(new byte[0]))
              .build());
      out.add(
          DeliveryReceipt.newBuilder()
              .setMetadata(meta())
              .setDeliveryId(text())
              .setEvent(text())
              .setAction(nullable(this::text))
              .setTopic(nullable(this::text))
              .setPartition(nullable(this::anyInt))
              .setOffset(nullable(this::anyLong))
              .build());
      out.add(
          CredentialAuditEvent.newBuilder()
              .setMetadata(meta())
              .setAction(pick(CredentialAction.values()))
              .setCredentialType(pick(CredentialType.values()))
              .setOutcome(pick(CredentialOutcome.values()))
              .setCredentialRef(text())
              .setAppId(anyLong())
              .setInstallationId(nullable(this::anyLong))
              .setRunnerId(nullable(this::text))
              .setRunnerName(nullable(this::text))
              .setJobId(nullable(this::anyLong))
              .setRepositoryFullName(nullable(this::text))
              .setOrganization(nullable(this::text))
              .setIssuedAt(nullable(this::time))
              .setExpiresAt(nullable(this::time))
              .setPermissions(strings())
              .setRequestedBy(nullable(this::text))
              .setReason(nullable(this::text))
              .build());
      out.add(
          ProviderEvent.newBuilder()
              .setMetadata(meta())
              .setRunnerId(text())
              .setKind(pick(ProviderEventKind.values()))
              .setProvider(text())
              .setRetriable(r.nextBoolean())
              .setDetail(nullable(() -> r.nextInt(4) == 0 ? text() + " --token " + text() : text()))
              .setJobId(nullable(this::anyLong))
              .setDurations(longs())
              .setAttributes(providerAttributes())
              .build());
      out.add(
          AdmissionDecision.newBuilder()
              .setMetadata(meta())
              .setJobId(anyLong())
              .setRunAttempt(anyInt())
              .setRepositoryFullName(text())
              .setOrganization(nullable(this::text))
              .setDecision(pick(Decision.values()))
              .setReason(text())
              .setPolicyVersion(text())
              .setRuleId(nullable(this::text))
              .setAuditMode(r.nextBoolean())
              .setRunnerSpec(
                  nullable(
                      () ->
                          RunnerSpec.newBuilder()
                              .setRunnerClass(text())
                              .setRunnerGroup(text())
                              .setLabels(list())
                              .setProvider(text())
                              .setIsolation(pick(Isolation.values()))
                              .setImage(nullable(this::text))
                              .setEgressAllowlist(list())
                              .setMaxDurationSeconds(anyLong())
                              .build()))
              .build());
      return out;
    }

    /** Adds random fields (any JSON: nested objects, arrays, big and fractional numbers). */
    void randomJson(ObjectNode o, int depth) {
      for (int i = r.nextInt(4); i > 0; i--) {
        String k = text();
        switch (r.nextInt(depth > 0 ? 9 : 7)) {
          case 0:
            o.put(k, text());
            break;
          case 1:
            o.put(k, anyLong());
            break;
          case 2:
            o.put(k, new BigInteger(80, r).negate());
            break;
          case 3:
            o.put(k, r.nextDouble() * 1e6 - 5e5);
            break;
          case 4:
            o.put(k, new BigDecimal(BigInteger.valueOf(r.nextInt()), r.nextInt(20) - 10));
            break;
          case 5:
            o.putNull(k);
            break;
          case 6:
            o.put(k, r.nextBoolean());
            break;
          case 7:
            randomJson(o.putObject(k), depth - 1);
            break;
          default:
            ArrayNode a = o.putArray(k);
            a.add(text()).add(anyLong()).addNull().add(1.5);
            randomJson(a.addObject(), depth - 1);
        }
      }
    }
  }
}
