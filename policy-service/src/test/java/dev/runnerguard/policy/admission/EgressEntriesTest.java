package dev.runnerguard.policy.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EgressEntriesTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "github.com",
        "api.github.com:443",
        "*.github.com:443",
        "127.0.0.1:8090",
        "10.0.0.0/8",
        "192.168.1.0/24",
        "fd00::/8",
        "[::1]:443",
        "localhost:8080"
      })
  void accepts(String entry) {
    assertThat(EgressEntries.normalize(entry)).isEqualTo(entry);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "github.com:0|port must be between 1 and 65535",
        "github.com:70000|port must be between 1 and 65535",
        "github.com:https|is no number",
        "*.com:443|at least two labels",
        "api.*.github.com:443|not a valid host name label",
        "10.0.0.0/33|CIDR prefix must be between 0 and 32",
        "10.0.0/8|is not an IPv4 address",
        "300.1.1.1:80|is not an IPv4 address",
        "0.0.0.0/0|allows all egress",
        "::/0|allows all egress",
        "fd00::/129|between 0 and 128",
        "fd00::1:443|need brackets",
        "exa mple.com|not a valid host name label",
        "10.0.0.0/x|is no number",
        "[::1|unclosed"
      })
  void rejects(String entry, String message) {
    assertThatThrownBy(() -> EgressEntries.normalize(entry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
