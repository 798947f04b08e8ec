package dev.runnerguard.githubsim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

  @Test
  void signsLikeGitHubsDocumentedTestVector() {
    assertThat(
            WebhookSender.signature(
                "It's a Secret to Everybody".getBytes(StandardCharsets.UTF_8),
                "Hello, World!".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
  }

  @Test
  void secretComesFromEnvOrNothing() {
    assertThat(WebhookSender.loadSecret(Map.of())).isNull();
    assertThat(WebhookSender.loadSecret(Map.of("RUNNERGUARD_WEBHOOK_SECRET", "s3")))
        .isEqualTo("s3".getBytes(StandardCharsets.UTF_8));
  }
}
