package dev.runnerguard.gateway.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runnerguard.gateway.signature.WebhookSignatureVerifier.Result;
import dev.runnerguard.testing.GitHubFixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookSignatureVerifierTest {
  private static final byte[] CURRENT = "current-secret".getBytes(StandardCharsets.UTF_8);
  private static final byte[] PREVIOUS = "previous-secret".getBytes(StandardCharsets.UTF_8);
  private static final byte[] BODY =
      "{\"zen\":\"Keep it logically awesome.\"}".getBytes(StandardCharsets.UTF_8);

  @Test
  void githubsDocumentedTestVector() throws Exception {
    JsonNode vector = new ObjectMapper().readTree(GitHubFixtures.signatureTestVector());
    byte[] secret = vector.get("secret").asText().getBytes(StandardCharsets.UTF_8);
    byte[] payload = vector.get("payload").asText().getBytes(StandardCharsets.UTF_8);
    String expected = vector.get("expected_X-Hub-Signature-256").asText();

    assertThat(expected)
        .isEqualTo("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
    assertThat(WebhookSignatureVerifier.sign(secret, payload)).isEqualTo(expected);
    assertThat(new WebhookSignatureVerifier(List.of(secret)).verify(payload, expected))
        .isEqualTo(Result.VALID);
    // one byte more (a trailing newline) is a different body
    assertThat(
            new WebhookSignatureVerifier(List.of(secret))
                .verify(
                    (vector.get("payload").asText() + "\n").getBytes(StandardCharsets.UTF_8),
                    expected))
        .isEqualTo(Result.MISMATCH);
  }

  @Test
  void eitherActiveSecretVerifiesDuringRotation() {
    var verifier = new WebhookSignatureVerifier(List.of(CURRENT, PREVIOUS));
    assertThat(verifier.verify(BODY, WebhookSignatureVerifier.sign(CURRENT, BODY)))
        .isEqualTo(Result.VALID);
    assertThat(verifier.verify(BODY, WebhookSignatureVerifier.sign(PREVIOUS, BODY)))
        .isEqualTo(Result.VALID);
    assertThat(
            verifier.verify(
                BODY,
                WebhookSignatureVerifier.sign("other".getBytes(StandardCharsets.UTF_8), BODY)))
        .isEqualTo(Result.MISMATCH);
    // after the rotation ends, the previous secret no longer verifies
    assertThat(
            new WebhookSignatureVerifier(List.of(CURRENT))
                .verify(BODY, WebhookSignatureVerifier.sign(PREVIOUS, BODY)))
        .isEqualTo(Result.MISMATCH);
  }

  @Test
  void upperCaseHexAndPrefixAreAccepted() {
    var verifier = new WebhookSignatureVerifier(List.of(CURRENT));
    String header = WebhookSignatureVerifier.sign(CURRENT, BODY);
    assertThat(verifier.verify(BODY, "SHA256=" + header.substring(7).toUpperCase()))
        .isEqualTo(Result.VALID);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "sha256=",
        "sha1=0123456789abcdef0123456789abcdef01234567",
        "sha256=zz57107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e177",
        "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        "sha256= 57107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
      })
  void malformedHeadersAreMalformed(String header) {
    assertThat(new WebhookSignatureVerifier(List.of(CURRENT)).verify(BODY, header))
        .isEqualTo(Result.MALFORMED);
  }

  @Test
  void oneOrTwoNonEmptySecrets() {
    assertThatThrownBy(() -> new WebhookSignatureVerifier(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WebhookSignatureVerifier(List.of(CURRENT, PREVIOUS, CURRENT)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WebhookSignatureVerifier(List.of(new byte[0])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("current-secret");
  }
}
