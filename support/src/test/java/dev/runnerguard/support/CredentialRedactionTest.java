package dev.runnerguard.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CredentialRedactionTest {

  @Test
  void removesEveryKindOfCredentialAndKeepsTheRest() {
    String pat = "ghp_" + "a".repeat(36);
    String text =
        "run.sh --token AAAA1234 GITHUB_TOKEN=s3cr3t password: 'hunter 2' "
            + pat
            + " AKIAABCDEFGHIJKLMNOP Authorization: Bearer xyz https://user:pw@example.test/x done";
    String out = CredentialRedaction.redact(text);

    assertThat(out)
        .doesNotContain(
            "AAAA1234", "s3cr3t", "hunter 2", pat, "AKIAABCDEFGHIJKLMNOP", "xyz", "user:pw")
        .contains(
            "run.sh --token [REDACTED]",
            "GITHUB_TOKEN=[REDACTED]",
            "https://[REDACTED]@example.test/x")
        .endsWith("done");
  }

  @Test
  void nullAndEmptyStayAsTheyAre() {
    assertThat(CredentialRedaction.redact(null)).isNull();
    assertThat(CredentialRedaction.redact("")).isEmpty();
    assertThat(CredentialRedaction.redact("no secret here")).isEqualTo("no secret here");
  }
}
