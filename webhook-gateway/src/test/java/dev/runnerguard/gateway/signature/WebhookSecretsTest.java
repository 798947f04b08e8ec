package dev.runnerguard.gateway.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runnerguard.support.SecretSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookSecretsTest {
  private static final String VALUE = "s3cr3t-value-that-must-never-print";

  static SecretSettings.Source source(Map<String, String> values, Set<String> onCommandLine) {
    return new SecretSettings.Source() {
      @Override
      public Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
      }

      @Override
      public boolean onCommandLine(String name) {
        return onCommandLine.contains(name);
      }
    };
  }

  @Test
  void currentFromValuePreviousFromFileWithTrailingNewline(@TempDir Path dir) throws Exception {
    Path previous = dir.resolve("previous");
    Files.writeString(previous, "old-secret\n");
    List<byte[]> secrets =
        WebhookSecrets.load(
            source(
                Map.of(
                    WebhookSecrets.SECRET,
                    VALUE,
                    WebhookSecrets.PREVIOUS_FILE,
                    previous.toString()),
                Set.of()));
    assertThat(secrets).hasSize(2);
    assertThat(new String(secrets.get(0), StandardCharsets.UTF_8)).isEqualTo(VALUE);
    assertThat(new String(secrets.get(1), StandardCharsets.UTF_8)).isEqualTo("old-secret");
  }

  @Test
  void missingSecretIsAClearStartError() {
    assertThatThrownBy(() -> WebhookSecrets.load(source(Map.of(), Set.of())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("RUNNERGUARD_WEBHOOK_SECRET")
        .hasMessageContaining("RUNNERGUARD_WEBHOOK_SECRET_FILE");
  }

  @Test
  void aSecretOnTheCommandLineIsRefusedWithoutPrintingIt() {
    assertThatThrownBy(
            () ->
                WebhookSecrets.load(
                    source(Map.of(WebhookSecrets.SECRET, VALUE), Set.of(WebhookSecrets.SECRET))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("command line")
        .hasMessageNotContaining(VALUE);
  }

  @Test
  void valueAndFileTogetherAreAmbiguous(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("s");
    Files.writeString(file, VALUE);
    Map<String, String> both = new HashMap<>();
    both.put(WebhookSecrets.SECRET, VALUE);
    both.put(WebhookSecrets.SECRET_FILE, file.toString());
    assertThatThrownBy(() -> WebhookSecrets.load(source(both, Set.of())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("set one")
        .hasMessageNotContaining(VALUE);
  }

  @Test
  void unreadableOrEmptyFilesAreClearErrors(@TempDir Path dir) throws Exception {
    assertThatThrownBy(
            () ->
                WebhookSecrets.load(
                    source(
                        Map.of(WebhookSecrets.SECRET_FILE, dir.resolve("nope").toString()),
                        Set.of())))
        .hasMessageContaining("cannot read");
    Path empty = dir.resolve("empty");
    Files.writeString(empty, "\n");
    assertThatThrownBy(
            () ->
                WebhookSecrets.load(
                    source(Map.of(WebhookSecrets.SECRET_FILE, empty.toString()), Set.of())))
        .hasMessageContaining("is empty");
  }
}
