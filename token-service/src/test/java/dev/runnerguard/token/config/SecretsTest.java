package dev.runnerguard.token.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {
  static Secrets.Source source(Map<String, String> values, String onCommandLine) {
    return new Secrets.Source() {
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
                Secrets.load(
                    source(Map.of(Secrets.APP_KEY, "PEMVALUE"), Secrets.APP_KEY),
                    Secrets.APP_KEY,
                    Secrets.APP_KEY_FILE))
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
            Secrets.load(
                source(Map.of(Secrets.APP_KEY_FILE, f.toString()), null),
                Secrets.APP_KEY,
                Secrets.APP_KEY_FILE))
        .contains("abc");
    assertThat(
            Secrets.load(
                source(Map.of(Secrets.INTERNAL_SECRET, "v"), null),
                Secrets.INTERNAL_SECRET,
                Secrets.INTERNAL_SECRET_FILE))
        .contains("v");
    assertThat(Secrets.load(source(Map.of(), null), Secrets.APP_KEY, Secrets.APP_KEY_FILE))
        .isEmpty();
  }

  @Test
  void bothOrUnreadableRefused(@TempDir Path dir) {
    assertThatThrownBy(
            () ->
                Secrets.load(
                    source(Map.of(Secrets.APP_KEY, "x", Secrets.APP_KEY_FILE, "/y"), null),
                    Secrets.APP_KEY,
                    Secrets.APP_KEY_FILE))
        .hasMessageContaining("set one");
    assertThatThrownBy(
            () ->
                Secrets.load(
                    source(Map.of(Secrets.APP_KEY_FILE, dir.resolve("none").toString()), null),
                    Secrets.APP_KEY,
                    Secrets.APP_KEY_FILE))
        .hasMessageContaining("cannot read");
  }
}
