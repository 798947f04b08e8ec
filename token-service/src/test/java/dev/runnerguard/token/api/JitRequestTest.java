package dev.runnerguard.token.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class JitRequestTest {
  static JitRequest req(String name, List<String> labels) {
    return new JitRequest("octo-org", null, name, 1L, labels, "_work");
  }

  @Test
  void validRequestHasNoProblems() {
    assertThat(req("rg-1.a_b", List.of("self-hosted", "linux")).problems()).isEmpty();
    assertThat(req("x".repeat(64), Collections.nCopies(100, "l")).problems()).isEmpty();
  }

  @Test
  void emptyAndTooManyLabels() {
    assertThat(req("r", List.of()).problems())
        .containsExactly("labels must contain at least 1 label");
    assertThat(req("r", null).problems()).hasSize(1);
    assertThat(req("r", Collections.nCopies(101, "l")).problems())
        .containsExactly("labels must contain at most 100 labels, got 101");
    assertThat(req("r", List.of(" ")).problems()).hasSize(1);
  }

  @Test
  void badRunnerNames() {
    for (String bad : new String[] {"", "a b", "x".repeat(65), "név", "a/b", null}) {
      assertThat(req(bad, List.of("l")).problems())
          .as("name %s", bad)
          .containsExactly(
              "runnerName must be 1 to 64 characters of letters, digits, '.', '-' or '_'");
    }
  }

  @Test
  void missingOrgAndGroup() {
    assertThat(new JitRequest(null, null, "r", null, List.of("l"), null).problems()).hasSize(2);
    assertThat(new JitRequest("o", "bad/repo", "r", 1L, List.of("l"), null).problems()).hasSize(1);
  }
}
