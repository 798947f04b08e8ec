package dev.runnerguard.policy.detection.falco;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.policy.detection.DetectionEngine;
import dev.runnerguard.policy.detection.DetectionState;
import dev.runnerguard.policy.detection.rules.DetectionConfig;
import dev.runnerguard.schemas.serde.EventMetadataFactory;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the Falco parser with random bytes and with mutations of the real fixtures: it either
 * returns an event that maps and judges without error, or throws {@link FalcoParseException} with a
 * message; nothing else (no other exception, no hang).
 */
class FalcoParserFuzzTest {
  static final DetectionConfig CFG = DetectionConfig.defaults();
  static final EventMetadataFactory META = new EventMetadataFactory("falcosidekick", "n/a");

  @Property(tries = 500)
  void randomBytes(@ForAll byte[] bytes) {
    check(bytes);
  }

  @Property(tries = 1000)
  void mutatedFixtures(@ForAll("mutated") String text) {
    check(text.getBytes(StandardCharsets.UTF_8));
  }

  static void check(byte[] bytes) {
    FalcoEvent e;
    try {
      e = FalcoParser.parse(bytes);
    } catch (FalcoParseException ex) {
      assertThat(ex.getMessage()).isNotBlank().doesNotContain("\n");
      return;
    }
    assertThat(e.uuid()).isNotBlank();
    assertThat(e.rule()).isNotBlank();
    new DetectionEngine(new DetectionState(), x -> false)
        .onSignal(CFG, FalcoMapper.toSignal(CFG, e, META.create()), 0);
  }

  @Provide
  Arbitrary<String> mutated() {
    Arbitrary<String> fixture =
        Arbitraries.of(FalcoFixtures.ALL)
            .map(f -> new String(FalcoFixtures.bytes(f), StandardCharsets.UTF_8));
    Arbitrary<String> junk =
        Arbitraries.of(
            "",
            "null",
            "1",
            "\"x\"",
            "{}",
            "[]",
            "\"",
            "{",
            "}",
            ":",
            ",",
            "true",
            "-1e999",
            "\"<NA>\"",
            "\"rg-1-1\"",
            "\\u0000",
            "99999999999999999999999");
    return fixture.flatMap(
        text ->
            Arbitraries.integers()
                .between(0, Math.max(0, text.length() - 1))
                .flatMap(
                    at ->
                        Arbitraries.integers()
                            .between(0, 40)
                            .flatMap(
                                cut ->
                                    junk.map(
                                        j ->
                                            text.substring(0, at)
                                                + j
                                                + text.substring(
                                                    Math.min(text.length(), at + cut))))));
  }
}
