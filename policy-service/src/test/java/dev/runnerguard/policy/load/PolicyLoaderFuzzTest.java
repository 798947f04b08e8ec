package dev.runnerguard.policy.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.policy.admission.PolicySet;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the loader with random text and with mutations of a valid policy: it either returns a
 * complete set or throws {@link PolicyLoadException} with located problems; nothing else.
 */
class PolicyLoaderFuzzTest {
  static final String VALID = dev.runnerguard.policy.admission.AdmissionEngineTest.POLICY;

  @Property(tries = 400)
  void randomTextIsASetOrClearProblems(@ForAll("randomYaml") String text) {
    check(text);
  }

  @Property(tries = 600)
  void mutatedPoliciesAreASetOrClearProblems(@ForAll("mutated") String text) {
    check(text);
  }

  static void check(String text) {
    try {
      PolicySet set = PolicyLoader.load("fuzz", List.of(PolicyFile.of("f.yaml", text)));
      assertThat(set.version()).startsWith("sha256:");
      assertThat(set.rules()).allSatisfy(r -> assertThat(r.id()).isNotBlank());
    } catch (PolicyLoadException e) {
      assertThat(e.problems()).isNotEmpty();
      assertThat(e.problems())
          .allSatisfy(
              p -> {
                assertThat(p.file()).isEqualTo("f.yaml");
                assertThat(p.line()).isGreaterThanOrEqualTo(0);
                assertThat(p.message()).isNotBlank();
              });
    }
  }

  @Provide
  Arbitrary<String> randomYaml() {
    Arbitrary<String> tokens =
        Arbitraries.of(
            "rules:",
            "- ",
            "id: x",
            "action: admit",
            "{",
            "}",
            "[",
            "]",
            ":",
            "&a",
            "*a",
            "!!binary",
            "!java.lang.Runtime",
            "\n",
            "  ",
            "\t",
            "'",
            "\"",
            "#",
            "---",
            "...",
            "<<: *a",
            "? ",
            "labels: [a]",
            "0x1F",
            "1:20",
            "~",
            "null",
            "yes",
            "|\n  x",
            ">-\n  y",
            "\u0000",
            "é");
    return tokens.list().ofMaxSize(60).map(l -> String.join("", l));
  }

  @Provide
  Arbitrary<String> mutated() {
    Arbitrary<Integer> position = Arbitraries.integers().between(0, VALID.length());
    Arbitrary<Integer> length = Arbitraries.integers().between(0, 20);
    Arbitrary<String> insert =
        Arbitraries.strings().withChars("abc:-[]{}#&*!'\"\n\t 0123456789./").ofMaxLength(12);
    Arbitrary<String> once =
        Combinators.combine(position, length, insert)
            .as(
                (p, n, s) ->
                    VALID.substring(0, p) + s + VALID.substring(Math.min(VALID.length(), p + n)));
    return once;
  }
}
