package dev.runnerguard.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretSettingsTest {
  static final String APP_KEY = "runnerguard.token.app-key";
  static final String APP_KEY_FILE = "runnerguard.token.app-key-file";
  static final String INTERNAL_SECRET = "runnerguard.internal.secret";
  static final String INTERNAL_SECRET_FILE = "runnerguard.internal.secret-file";

  static SecretSettings.Source source(Map<String, String> values, String onCommandLine) {
    return new SecretSettings.Source() {
      @Override
      public Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
      }

      @Override
      public boolean onCommandLine(String name) {
        return name.equals(onCommandLine);
      }
    };
  }

  @Test
  void systemPropertyRefusedWithoutEchoingTheValue() {
    assertThatThrownBy(
            () ->
                SecretSettings.load(
                    source(Map.of(APP_KEY, "PEMVALUE"), APP_KEY), APP_KEY, APP_KEY_FILE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("RUNNERGUARD_TOKEN_APP_KEY")
        .message()
        .doesNotContain("PEMVALUE");
  }

  @Test
  void fileWithTrailingNewlineAndEnv(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("k");
    Files.writeString(f, "abc\n");
    assertThat(
            SecretSettings.load(
                source(Map.of(APP_KEY_FILE, f.toString()), null), APP_KEY, APP_KEY_FILE))
        .contains("abc");
    assertThat(
            SecretSettings.load(
                source(Map.of(INTERNAL_SECRET, "v"), null), INTERNAL_SECRET, INTERNAL_SECRET_FILE))
        .contains("v");
    assertThat(SecretSettings.load(source(Map.of(), null), APP_KEY, APP_KEY_FILE)).isEmpty();
  }

  @Test
  void bothOrUnreadableRefused(@TempDir Path dir) {
    assertThatThrownBy(
            () ->
                SecretSettings.load(
                    source(Map.of(APP_KEY, "x", APP_KEY_FILE, "/y"), null), APP_KEY, APP_KEY_FILE))
        .hasMessageContaining("set one");
    assertThatThrownBy(
            () ->
                SecretSettings.load(
                    source(Map.of(APP_KEY_FILE, dir.resolve("none").toString()), null),
                    APP_KEY,
                    APP_KEY_FILE))
        .hasMessageContaining("cannot read");
  }

  @Test
  void theDefaultSourceTreatsSystemPropertiesAsCommandLine() {
    System.setProperty("runnerguard.test.secret-settings", "x");
    try {
      SecretSettings.Source source = SecretSettings.Source.of(name -> Optional.of("v"));
      assertThat(source.onCommandLine("runnerguard.test.secret-settings")).isTrue();
      assertThat(source.onCommandLine("runnerguard.test.other")).isFalse();
      assertThat(source.value("anything")).contains("v");
    } finally {
      System.clearProperty("runnerguard.test.secret-settings");
    }
  }
}
