package dev.runnerguard.policy.detection.falco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.policy.detection.Detection;
import dev.runnerguard.policy.detection.DetectionEngine;
import dev.runnerguard.policy.detection.DetectionState;
import dev.runnerguard.policy.detection.rules.DetectionConfig;
import dev.runnerguard.policy.detection.rules.RuleCatalog;
import dev.runnerguard.schemas.avro.SecuritySignal;
import dev.runnerguard.schemas.avro.Severity;
import dev.runnerguard.schemas.avro.SignalSource;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Realistic falcosidekick events: parsed, mapped to a runner, judged; malformed ones rejected. */
class FalcoParserTest {
  static final EventMetadataFactory META = new EventMetadataFactory("falcosidekick", "n/a");

  static Stream<Arguments> fixtures() {
    return Stream.of(
        Arguments.of(
            "miner-pool-port.json",
            "rg-9001-1",
            "net.connect",
            Severity.CRITICAL,
            RuleCatalog.CRYPTO_MINER,
            true),
        Arguments.of(
            "nested-runner.json",
            "rg-9002-1",
            "process.exec",
            Severity.CRITICAL,
            RuleCatalog.NESTED_RUNNER,
            true),
        Arguments.of(
            "read-shadow.json",
            "rg-9003-1",
            "file.read",
            Severity.MEDIUM,
            RuleCatalog.CREDENTIAL_READ,
            false),
        Arguments.of(
            "metadata-service.json",
            "rg-9004-1",
            "net.connect",
            Severity.LOW,
            RuleCatalog.CLOUD_METADATA,
            true),
        Arguments.of(
            "reverse-shell.json",
            "rg-9005-1",
            "net.connect",
            Severity.LOW,
            RuleCatalog.REVERSE_SHELL,
            true),
        Arguments.of(
            "syscall-drops.json",
            null,
            "process.exec",
            Severity.CRITICAL,
            RuleCatalog.TELEMETRY_GAP,
            false),
        Arguments.of("unmapped-pod.json", null, "process.exec", Severity.LOW, null, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void fixtureIsParsedMappedAndJudged(
      String file, String runner, String kind, Severity severity, String rule, boolean command) {
    DetectionConfig cfg = DetectionConfig.defaults();
    FalcoEvent e = FalcoParser.parse(FalcoFixtures.bytes(file));
    assertThat(e.uuid()).isNotBlank();
    SecuritySignal s = FalcoMapper.toSignal(cfg, e, META.create());
    assertThat(s.getSignalId()).isEqualTo(e.uuid());
    assertThat(s.getSource()).isEqualTo(SignalSource.FALCO);
    assertThat(s.getRunnerId()).isEqualTo(runner);
    assertThat(s.getKind()).isEqualTo(kind);
    assertThat(s.getSeverity()).isEqualTo(severity);
    assertThat(s.getAttributes().get("falco.output")).doesNotContain("AAAABBBBCCCCDDDD");
    List<Detection> out = new DetectionEngine(new DetectionState(), x -> false).onSignal(cfg, s, 0);
    if (rule == null) {
      assertThat(out).isEmpty();
    } else {
      assertThat(out).extracting(d -> d.rule().id()).contains(rule);
      assertThat(out.stream().anyMatch(Detection::quarantine)).isEqualTo(command);
      assertThat(out.get(0).signalIds()).containsExactly(e.uuid());
      assertThat(out.get(0).evidence().toString()).doesNotContain("AAAABBBBCCCCDDDD");
    }
  }

  static Stream<Arguments> malformed() {
    String ok =
        "{\"uuid\":\"u1\",\"time\":\"2026-11-27T10:00:00.123456789Z\",\"rule\":\"r\",\"priority\":\"Warning\","
            + "\"output\":\"o\",\"output_fields\":{},\"tags\":[]}";
    return Stream.of(
        Arguments.of("", "empty record"),
        Arguments.of("not json", "not valid JSON at line 1"),
        Arguments.of("[1,2]", "not a JSON object"),
        Arguments.of(ok.replace("\"uuid\":\"u1\",", ""), "missing field 'uuid'"),
        Arguments.of(ok.replace("\"u1\"", "\"\""), "field 'uuid' is empty"),
        Arguments.of(ok.replace("\"u1\"", "17"), "field 'uuid' is not a string"),
        Arguments.of(ok.replace("\"rule\":\"r\",", ""), "missing field 'rule'"),
        Arguments.of(ok.replace("Warning", "Loud"), "is not a Falco priority"),
        Arguments.of(
            ok.replace("2026-11-27T10:00:00.123456789Z", "yesterday"), "time is not an RFC 3339"),
        Arguments.of(
            ok.replace("\"output_fields\":{}", "\"output_fields\":[1]"),
            "output_fields is not an object"),
        Arguments.of(
            ok.replace("\"output_fields\":{}", "\"output_fields\":{\"a\":{\"b\":1}}"),
            "is not a scalar"),
        Arguments.of(ok.replace("\"tags\":[]", "\"tags\":\"x\""), "tags is not an array"),
        Arguments.of(ok.replace("\"tags\":[]", "\"tags\":[1]"), "tags holds a non-string"),
        Arguments.of(ok.replace("}", "} trailing"), "not valid JSON"),
        Arguments.of(
            ok.replace("\"rule\":\"r\"", "\"rule\":\"r\",\"rule\":\"s\""), "not valid JSON"),
        Arguments.of("[".repeat(5000), "not valid JSON"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("malformed")
  void malformedEventsAreRejectedWithAClearReason(String json, String reason) {
    assertThatThrownBy(() -> FalcoParser.parse(json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(FalcoParseException.class)
        .hasMessageContaining(reason);
  }
}
