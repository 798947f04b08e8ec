package dev.runnerguard.policy.load;

import dev.runnerguard.policy.reload.PolicyDirectory;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the loader with mutations of the packaged detection policy: a complete set or located
 * problems, nothing else (see {@link PolicyLoaderFuzzTest#check}).
 */
class DetectionPolicyFuzzTest {
  static final String VALID =
      new String(
          PolicyDirectory.ClassPath.defaults().read().stream()
              .filter(f -> f.name().equals("detection.yaml"))
              .findFirst()
              .orElseThrow()
              .content(),
          StandardCharsets.UTF_8);

  @Property(tries = 600)
  void mutatedDetectionPoliciesAreASetOrClearProblems(@ForAll("mutated") String text) {
    PolicyLoaderFuzzTest.check(text);
  }

  @Provide
  Arbitrary<String> mutated() {
    Arbitrary<String> junk =
        Arbitraries.of(
            "",
            "x",
            "-",
            ":",
            "{",
            "}",
            "[",
            "]",
            "0",
            "-1",
            "999999999999",
            "true",
            "null",
            "~",
            "'",
            "\"",
            "\n",
            "  ",
            "\t",
            "*",
            "&a",
            "*a",
            "!!str",
            "id: egress-ioc",
            "iocs: [1.2.3.4/0]",
            "threshold: 0",
            "response: kill",
            "audit: maybe",
            "ports: [70000]",
            "paths: []",
            "enabled: false",
            "- id: reverse-shell",
            "rules: 3",
            "detection: {}");
    return Arbitraries.integers()
        .between(0, VALID.length() - 1)
        .flatMap(
            at ->
                Arbitraries.integers()
                    .between(0, 30)
                    .flatMap(
                        cut ->
                            junk.map(
                                j ->
                                    VALID.substring(0, at)
                                        + j
                                        + VALID.substring(Math.min(VALID.length(), at + cut)))));
  }
}
