package dev.runnerguard.audit.ocsf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {

  private static final String GHS = "ghs_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";

  @Test
  void credentialsAreRemovedAndTheRestKept() {
    assertThat(
            Redaction.redact("config.sh --url https://github.com/acme --token AAAA1234 --name x"))
        .isEqualTo("config.sh --url https://github.com/acme --token [REDACTED] --name x");
    assertThat(Redaction.redact("GITHUB_TOKEN=abc123 make"))
        .isEqualTo("GITHUB_TOKEN=[REDACTED] make");
    assertThat(Redaction.redact("secret: 'p w'")).isEqualTo("secret: [REDACTED]");
    assertThat(Redaction.redact("got " + GHS + " back")).isEqualTo("got [REDACTED] back");
    assertThat(Redaction.redact("key AKIAABCDEFGHIJKLMNOP")).isEqualTo("key [REDACTED]");
    assertThat(Redaction.redact("Authorization: Bearer abc.def"))
        .isEqualTo("Authorization: [REDACTED]");
    assertThat(Redaction.redact("clone https://user:pw@github.com/acme/app failed"))
        .isEqualTo("clone https://[REDACTED]@github.com/acme/app failed");
    // a JIT config: base64 JSON of over a kilobyte
    String jit = "eyJ" + "QUJDRA==".replace("=", "").repeat(300);
    assertThat(Redaction.redact("starting with " + jit + " now"))
        .isEqualTo("starting with [REDACTED] now");
  }

  @Test
  void ordinaryProviderTextIsUnchanged() {
    for (String s :
        new String[] {
          "JIT config: token-service answered 503",
          "local-sandbox r-1 provision (start): the sandbox failed to start (exit 1): no bwrap",
          "runner program exited with code 137",
          "JIT registration deleted; the runner holds no other credential",
          "evidence: APPLIED",
          "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
          "/var/lib/runnerguard/evidence/rg-123-1/2025-05-01T10-15-30.123Z",
          ""
        }) {
      assertThat(Redaction.redact(s)).isEqualTo(s);
    }
    assertThat(Redaction.redact(null)).isNull();
  }

  @Test
  void attributesNamingASecretAreRedactedWhateverTheirValue() {
    assertThat(Redaction.redactAttribute("token", "x")).isEqualTo(Redaction.REDACTED);
    assertThat(Redaction.redactAttribute("jitConfig", "x")).isEqualTo(Redaction.REDACTED);
    assertThat(Redaction.redactAttribute("encoded_jit_config", "x")).isEqualTo(Redaction.REDACTED);
    assertThat(Redaction.redactAttribute("webhookSecret", "x")).isEqualTo(Redaction.REDACTED);
    assertThat(Redaction.redactAttribute("privateKey", "x")).isEqualTo(Redaction.REDACTED);
    assertThat(Redaction.redactAttribute("step", "credentials-revoked"))
        .isEqualTo("credentials-revoked");
    assertThat(Redaction.redactAttribute("githubRunnerId", "77")).isEqualTo("77");
    assertThat(Redaction.redactAttribute("outcome", "failed: " + GHS))
        .isEqualTo("failed: [REDACTED]");
    assertThat(Redaction.redactAttribute("token", null)).isNull();
  }
}
