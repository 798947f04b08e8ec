package dev.runnerguard.gateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrAllowlistTest {
  private final CidrAllowlist github =
      CidrAllowlist.parse(
          List.of("192.30.252.0/22", "185.199.108.0/22", "2606:50c0::/32", "127.0.0.1"));

  @Test
  void emptyAllowsEverything() {
    assertThat(CidrAllowlist.parse(List.of()).allows("203.0.113.9")).isTrue();
    assertThat(CidrAllowlist.parse(List.of(" ")).isEmpty()).isTrue();
  }

  @Test
  void addressesInsideAndOutside() {
    assertThat(github.allows("192.30.252.1")).isTrue();
    assertThat(github.allows("192.30.255.254")).isTrue();
    assertThat(github.allows("192.30.251.255")).isFalse();
    assertThat(github.allows("192.31.0.1")).isFalse();
    assertThat(github.allows("2606:50c0:8000::153")).isTrue();
    assertThat(github.allows("2606:50c1::1")).isFalse();
    assertThat(github.allows("127.0.0.1")).isTrue();
    assertThat(github.allows("127.0.0.2")).isFalse();
    assertThat(github.allows("::ffff:192.30.252.7")).isTrue();
  }

  @Test
  void oddPrefixLengths() {
    var list = CidrAllowlist.parse(List.of("10.0.0.0/9"));
    assertThat(list.allows("10.127.255.255")).isTrue();
    assertThat(list.allows("10.128.0.0")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not-an-ip", "example.com", "1.2.3.4.5"})
  void unknownSourcesAreNotAllowedAndNeverResolved(String address) {
    assertThat(github.allows(address)).isFalse();
    assertThat(github.allows(null)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"github.com/24", "10.0.0.0/33", "10.0.0.0/x", "::/129", "300.1.1.1/8"})
  void badEntriesNameThemselves(String entry) {
    assertThatThrownBy(() -> CidrAllowlist.parse(List.of(entry)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(entry);
  }
}
