package dev.runnerguard.policy.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.policy.admission.PolicySet;
import dev.runnerguard.policy.detection.rules.DetectionConfig;
import dev.runnerguard.policy.detection.rules.Response;
import dev.runnerguard.policy.detection.rules.RuleCatalog;
import dev.runnerguard.policy.load.PolicyFile;
import dev.runnerguard.policy.load.PolicyLoadException;
import dev.runnerguard.policy.load.PolicyLoader;
import dev.runnerguard.policy.load.PolicyProblem;
import dev.runnerguard.policy.reload.PolicyDirectory;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The DetectionPolicy file: defaults, tuning, and broken files rejected with file and line. */
class DetectionPolicyLoadTest {
  static final String HEAD = "apiVersion: runnerguard.dev/v1\nkind: DetectionPolicy\ndetection:\n";

  @Test
  void packagedDefaultsQuarantineOnTheDemoRules() throws Exception {
    PolicySet set = PolicyLoader.load("default", PolicyDirectory.ClassPath.defaults().read());
    DetectionConfig d = set.detection();
    assertThat(d.source()).isEqualTo("detection.yaml");
    assertThat(d.rules()).hasSize(RuleCatalog.all().size());
    for (String id :
        List.of(
            RuleCatalog.EGRESS_DENIED,
            RuleCatalog.NESTED_RUNNER,
            RuleCatalog.PROCESS_SURVIVED,
            RuleCatalog.CRYPTO_MINER)) {
      assertThat(d.enabled(id))
          .get()
          .satisfies(
              r -> {
                assertThat(r.response()).isEqualTo(Response.QUARANTINE);
                assertThat(r.audit()).isFalse();
              });
    }
    assertThat(set.rules()).extracting(r -> r.id()).containsExactly("private-self-hosted-sandbox");
  }

  @Test
  void withoutADetectionFileTheBuiltInDefaultsApply() throws Exception {
    PolicySet set =
        PolicyLoader.load(
            "t",
            List.of(
                PolicyFile.of(
                    "a.yaml", "apiVersion: runnerguard.dev/v1\nkind: AdmissionPolicy\n")));
    assertThat(set.detection().source()).isEqualTo("built-in");
    assertThat(set.detection().rules()).hasSize(RuleCatalog.all().size());
  }

  @Test
  void tuningAndAuditModeAreRead() throws Exception {
    DetectionConfig d =
        PolicyLoader.load(
                "t",
                List.of(
                    PolicyFile.of(
                        "d.yaml",
                        HEAD
                            + "  runnerNamePrefix: ci-\n  rules:\n"
                            + "    - id: egress-outside-allowlist\n      threshold: 5\n      windowSeconds: 30\n      audit: true\n"
                            + "    - {id: egress-ioc, iocs: [evil.example, 10.9.0.0/16], severity: LOW}\n")))
            .detection();
    assertThat(d.runnerNamePrefix()).isEqualTo("ci-");
    assertThat(d.rule(RuleCatalog.EGRESS_DENIED).integer("threshold")).isEqualTo(5);
    assertThat(d.rule(RuleCatalog.EGRESS_DENIED).audit()).isTrue();
    assertThat(d.rule(RuleCatalog.EGRESS_DENIED).source()).isEqualTo("d.yaml:6");
    assertThat(d.rule(RuleCatalog.EGRESS_IOC).list("iocs"))
        .containsExactly("evil.example", "10.9.0.0/16");
  }

  static Stream<Arguments> broken() {
    return Stream.of(
        Arguments.of(HEAD + "  rules:\n    - id: no-such-rule\n", 5, "schema:"),
        Arguments.of(
            HEAD + "  rules:\n    - id: reverse-shell\n      threshold: 3\n",
            6,
            "has no parameter 'threshold'"),
        Arguments.of(
            HEAD + "  rules:\n    - id: egress-outside-allowlist\n      threshold: 0\n",
            6,
            "schema:"),
        Arguments.of(
            HEAD + "  rules:\n    - id: egress-ioc\n      iocs: [ok.example, 'bad host!']\n",
            6,
            "iocs: 'bad host!'"),
        Arguments.of(
            HEAD + "  rules:\n    - id: egress-ioc\n      iocs: [10.0.0.0/0]\n",
            6,
            "prefix length"),
        Arguments.of(
            HEAD + "  rules:\n    - id: telemetry-gap\n    - id: telemetry-gap\n",
            6,
            "configured twice"),
        Arguments.of(HEAD + "  rules:\n    - {id: crypto-miner, response: kill}\n", 5, "schema:"),
        Arguments.of(HEAD + "  colour: blue\n", 4, "schema:"),
        Arguments.of("apiVersion: runnerguard.dev/v1\nkind: DetectionPolicy\n", 1, "schema:"),
        Arguments.of(HEAD + "  rules: []\nrules: []\n", 1, "schema:"));
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource("broken")
  void brokenDetectionFilesAreRejectedWithFileAndLine(String yaml, int line, String message) {
    assertThatThrownBy(() -> PolicyLoader.load("t", List.of(PolicyFile.of("d.yaml", yaml))))
        .isInstanceOfSatisfying(
            PolicyLoadException.class,
            e ->
                assertThat(e.problems())
                    .anySatisfy(
                        (PolicyProblem p) -> {
                          assertThat(p.file()).isEqualTo("d.yaml");
                          assertThat(p.line()).isEqualTo(line);
                          assertThat(p.message()).contains(message);
                        }));
  }

  @Test
  void onlyOneDetectionPolicyFile() {
    assertThatThrownBy(
            () ->
                PolicyLoader.load(
                    "t",
                    List.of(
                        PolicyFile.of("a.yaml", HEAD + "  rules: []\n"),
                        PolicyFile.of("b.yaml", HEAD + "  rules: []\n"))))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageContaining("b.yaml:2: a DetectionPolicy is already defined in a.yaml");
  }
}
