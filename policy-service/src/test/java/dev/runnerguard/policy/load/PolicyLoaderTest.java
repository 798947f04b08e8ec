package dev.runnerguard.policy.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.policy.admission.PolicySet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

public class PolicyLoaderTest {
  static final String HEAD = "apiVersion: runnerguard.dev/v1\nkind: AdmissionPolicy\n";

  public static final String GOOD =
      HEAD
          + """
          allow: {organizations: ["*"]}
          rules:
            - id: private
              action: admit
              match: {labels: [self-hosted]}
              runner: {provider: local-sandbox, isolation: SANDBOX, egress: ["localhost:8080"]}
          """;

  static List<PolicyProblem> problems(PolicyFile... files) {
    try {
      PolicyLoader.load("dir", List.of(files));
    } catch (PolicyLoadException e) {
      assertThat(e.problems()).isNotEmpty();
      return e.problems();
    }
    throw new AssertionError("expected the files to be rejected");
  }

  record Bad(String name, String yaml, String file, int line, String message) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> broken() {
    return Stream.of(
            new Bad("not YAML", HEAD + "rules: [\n  - id: x\n", "a.yaml", 4, "invalid YAML"),
            new Bad("tab indentation", HEAD + "rules:\n\t- id: x\n", "a.yaml", 4, "invalid YAML"),
            new Bad("empty file", "", "a.yaml", 1, "holds no YAML document"),
            new Bad(
                "duplicate key",
                HEAD + "kind: AdmissionPolicy\n",
                "a.yaml",
                3,
                "duplicate key 'kind'"),
            new Bad(
                "anchor and alias",
                HEAD + "allow: &a {organizations: [x]}\ndefaults: *a\n",
                "a.yaml",
                3,
                "anchors and aliases"),
            new Bad(
                "wrong kind",
                "apiVersion: runnerguard.dev/v1\nkind: Pod\n",
                "a.yaml",
                2,
                "schema:"),
            new Bad("unknown field", GOOD + "    colour: blue\n", "a.yaml", 9, "colour"),
            new Bad(
                "bad isolation",
                GOOD.replace("isolation: SANDBOX", "isolation: CHROOT"),
                "a.yaml",
                8,
                "enumeration"),
            new Bad(
                "admit without runner",
                HEAD + "rules:\n  - id: x\n    action: admit\n    match: {labels: [a]}\n",
                "a.yaml",
                4,
                "runner"),
            new Bad(
                "bad rule id",
                GOOD.replace("id: private", "id: Private Rule"),
                "a.yaml",
                5,
                "pattern"),
            new Bad(
                "duration too long",
                GOOD.replace(
                    "isolation: SANDBOX", "isolation: SANDBOX, maxDurationSeconds: 9999999"),
                "a.yaml",
                8,
                "maximum"),
            new Bad(
                "bad egress port",
                GOOD.replace("localhost:8080", "localhost:99999"),
                "a.yaml",
                8,
                "egress: 'localhost:99999': port must be between 1 and 65535"),
            new Bad(
                "bad CIDR",
                GOOD.replace("localhost:8080", "10.1.2.0/40"),
                "a.yaml",
                8,
                "CIDR prefix must be between 0 and 32"),
            new Bad(
                "public without VM",
                GOOD.replace(
                    "match: {labels: [self-hosted]}",
                    "match: {labels: [self-hosted], visibility: public}"),
                "a.yaml",
                5,
                "only allowed with isolation VM"),
            new Bad(
                "fork not stronger",
                GOOD + "    forks: {isolation: SANDBOX}\n",
                "a.yaml",
                9,
                "forks must get stronger isolation than SANDBOX"))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("broken")
  void rejectsWithFileLineAndWhat(Bad bad) {
    List<PolicyProblem> problems = problems(PolicyFile.of("a.yaml", bad.yaml()));
    assertThat(problems)
        .as(problems.toString())
        .anySatisfy(
            p -> {
              assertThat(p.file()).isEqualTo(bad.file());
              assertThat(p.line()).isEqualTo(bad.line());
              assertThat(p.message()).contains(bad.message());
            });
  }

  @Test
  void duplicateRuleIdsAcrossFilesNameBothPlaces() {
    List<PolicyProblem> problems =
        problems(
            PolicyFile.of("a.yaml", GOOD),
            PolicyFile.of("b.yaml", GOOD.replace("allow: {organizations: [\"*\"]}\n", "")));
    assertThat(problems)
        .singleElement()
        .hasToString("b.yaml:4: duplicate rule id 'private' (first defined at a.yaml:5)");
  }

  @Test
  void publicRulesNeverShareARunnerGroupWithPrivateOnes() {
    String both =
        GOOD
            + """
              - id: public
                action: admit
                match: {labels: [self-hosted, big], visibility: public}
                runner: {provider: vm, isolation: VM}
            """;
    assertThat(problems(PolicyFile.of("a.yaml", both)))
        .anySatisfy(
            p ->
                assertThat(p.message())
                    .contains("puts public repositories in runner group 'default'")
                    .contains("never share a runner group"));
  }

  @Test
  void nestedLabelSetsInOneGroupNeedOneSpec() {
    String clash =
        GOOD
            + """
              - id: bigger
                action: admit
                match: {labels: [self-hosted, big]}
                runner: {provider: container, isolation: CONTAINER}
            """;
    assertThat(problems(PolicyFile.of("a.yaml", clash)))
        .anySatisfy(p -> assertThat(p.message()).contains("GitHub could route a job"));
  }

  @Test
  void onlyOneFileMayHaveDefaults() {
    String d = HEAD + "defaults: {runnerGroup: x}\n";
    assertThat(problems(PolicyFile.of("a.yaml", d), PolicyFile.of("b.yaml", d)))
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.toString())
                    .startsWith("b.yaml:3: 'defaults' is already defined in a.yaml"));
  }

  @Test
  void everyBrokenFileIsReportedAndNoSetIsBuilt() {
    List<PolicyProblem> problems =
        problems(
            PolicyFile.of("a.yaml", "key: [unclosed"),
            PolicyFile.of("b.yaml", GOOD),
            PolicyFile.of("c.yaml", HEAD + "rules: 5\n"));
    assertThat(problems).extracting(PolicyProblem::file).containsExactly("a.yaml", "c.yaml");
  }

  @Test
  void noFilesIsAProblem() {
    assertThat(problems()).singleElement().hasToString("dir: no policy files (*.yaml, *.yml)");
  }

  @Test
  void notUtf8() {
    assertThat(problems(new PolicyFile("a.yaml", new byte[] {(byte) 0xff, (byte) 0xfe, 0x41})))
        .singleElement()
        .hasToString("a.yaml: file is not valid UTF-8");
  }

  @Test
  void versionIsTheContentHashOfTheWholeDirectory() throws Exception {
    PolicySet a = PolicyLoader.load("d", List.of(PolicyFile.of("a.yaml", GOOD)));
    PolicySet same = PolicyLoader.load("other", List.of(PolicyFile.of("a.yaml", GOOD)));
    PolicySet renamed = PolicyLoader.load("d", List.of(PolicyFile.of("b.yaml", GOOD)));
    PolicySet changed = PolicyLoader.load("d", List.of(PolicyFile.of("a.yaml", GOOD + "# x\n")));
    assertThat(a.version()).matches("sha256:[0-9a-f]{12}").isEqualTo(same.version());
    assertThat(renamed.version()).isNotEqualTo(a.version());
    assertThat(changed.version()).isNotEqualTo(a.version());
  }

  @Test
  void shippedDefaultsAreValidAndIndexed() throws Exception {
    Path dir = Path.of("src/main/policies/default");
    List<String> onDisk;
    try (Stream<Path> s = Files.list(dir)) {
      onDisk =
          s.map(p -> p.getFileName().toString())
              .filter(PolicyFile::isPolicyFileName)
              .sorted()
              .toList();
    }
    List<String> index =
        Files.readAllLines(dir.resolve("INDEX")).stream()
            .filter(l -> !l.isBlank())
            .sorted()
            .toList();
    assertThat(index).isEqualTo(onDisk);
    PolicySet set =
        PolicyLoader.load(
            "default", dev.runnerguard.policy.reload.PolicyDirectory.ClassPath.defaults().read());
    assertThat(set.rules()).isNotEmpty();
  }

  @Test
  void publishedSchemaCopyIsCurrent() throws Exception {
    assertThat(Files.readString(Path.of("docs/policy.schema.json")))
        .isEqualTo(Files.readString(Path.of("src/main/resources/policy.schema.json")));
  }

  @Test
  void goodFileLoads() throws Exception {
    PolicySet set = PolicyLoader.load("d", List.of(PolicyFile.of("a.yaml", GOOD)));
    assertThat(set.rules()).singleElement().satisfies(r -> assertThat(r.line()).isEqualTo(5));
    assertThatThrownBy(() -> PolicyLoader.load("d", List.of(PolicyFile.of("a.yaml", "x: 1"))))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageContaining("a.yaml:1: schema:");
  }
}
