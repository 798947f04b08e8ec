package dev.runnerguard.orchestrator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SandboxAddressPoolTest {

  @Test
  void slotsAreConsecutiveSlash30s() {
    AddressPool p = AddressPool.parse("10.213.0.0/16");
    assertThat(p.size()).isEqualTo(16384);
    assertThat(p.hostAddress(0)).isEqualTo("10.213.0.1");
    assertThat(p.runnerAddress(0)).isEqualTo("10.213.0.2");
    assertThat(p.hostAddress(1)).isEqualTo("10.213.0.5");
    assertThat(p.runnerAddress(64)).isEqualTo("10.213.1.2");
    assertThat(p.runnerAddress(16383)).isEqualTo("10.213.255.254");
    assertThatThrownBy(() -> p.hostAddress(16384)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void allocatesTheLowestFreeSlotAndReportsExhaustion() {
    AddressPool p = AddressPool.parse("10.214.0.9/29"); // masked to 10.214.0.8, two slots
    assertThat(p.toString()).isEqualTo("10.214.0.8/29");
    assertThat(p.allocate(List.of())).isZero();
    assertThat(p.allocate(List.of(0))).isEqualTo(1);
    assertThat(p.allocate(List.of(1))).isZero();
    assertThat(p.allocate(List.of(0, 1))).isEqualTo(-1);
  }

  @Test
  void rejectsBadPools() {
    for (String bad : List.of("10.0.0.0", "10.0.0.0/31", "10.0.0.0/7", "10.0.0/16", "x/16")) {
      assertThatThrownBy(() -> AddressPool.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void namesFitTheKernelLimits() {
    SandboxNames n = SandboxNames.of("rg", "rg-123456789-1");
    assertThat(n.netns()).isEqualTo("rg-rg-123456789-1");
    assertThat(n.hostVeth()).hasSizeLessThanOrEqualTo(15).startsWith("rgh");
    assertThat(n.peerVeth()).hasSizeLessThanOrEqualTo(15).startsWith("rgn");
    assertThat(SandboxNames.of("abcd", "x".repeat(63)).hostVeth()).hasSize(15);
    assertThat(n.hostTable()).matches("rg_[0-9a-f]{10}");
    assertThat(SandboxNames.of("rg", "rg-123456789-1")).isEqualTo(n);
    for (String bad : List.of("", "..", ".x", "a/b", "a b", "x".repeat(64))) {
      assertThat(SandboxNames.validRunnerId(bad)).as(bad).isFalse();
    }
  }
}
