package dev.runnerguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MachineTest {
  @Test
  void stealIsItsShareOfAllCpuTimeBetweenTwoSamples() {
    assertThat(Machine.stealNote(new long[] {10, 1_000}, new long[] {15, 2_000}))
        .startsWith("CPU steal during the measurements 0.5 %");
    assertThat(Machine.stealNote(new long[] {0, 0}, new long[] {0, 0}))
        .isEqualTo("CPU steal unknown");
  }

  @Test
  void thisMachinesCountersAreReadAndOnlyGrow() {
    long[] before = Machine.stealTicks();
    long[] after = Machine.stealTicks();
    assertThat(before[1]).as("total jiffies on Linux").isPositive();
    assertThat(after[0]).isGreaterThanOrEqualTo(before[0]);
    assertThat(after[1]).isGreaterThanOrEqualTo(before[1]);
    assertThat(before[0]).isLessThanOrEqualTo(before[1]);
  }

  @Test
  void theMeasuredCodeIsNamedByItsCommit() throws Exception {
    String version = Machine.codeVersion(dev.runnerguard.testing.ServiceProcess.repoRoot());
    assertThat(version).matches("code as of [0-9a-f]{7,}(, with uncommitted changes)?");
    java.nio.file.Path notARepo = java.nio.file.Files.createTempDirectory("not-a-repo");
    assertThat(Machine.codeVersion(notARepo)).isEqualTo("code of an unknown commit");
  }
}
