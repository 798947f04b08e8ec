package dev.runnerguard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuditBenchmarkOptionsTest {

  @Test
  void defaultsWarmUpAndUseTheLaunchersOptions() {
    AuditBenchmark.Options o = AuditBenchmark.Options.parse(new String[0], null);

    assertThat(o.events()).isEqualTo(400_000);
    assertThat(o.warmupEvents()).isEqualTo(200_000);
    assertThat(o.total()).isEqualTo(600_000);
    assertThat(o.serviceJvmOptions()).isEqualTo(AuditBenchmark.LAUNCHER_JVM_OPTIONS);
    assertThat(AuditBenchmark.Options.parse(new String[] {"--quick"}, null).warmupEvents())
        .isZero();
  }

  @Test
  void givenOptionsAreTaken() {
    AuditBenchmark.Options o =
        AuditBenchmark.Options.parse(
            new String[] {
              "--events=1000", "--warmup-events=0", "--service-jvm-options= -XX:+UseG1GC "
            },
            null);

    assertThat(o.events()).isEqualTo(1000);
    assertThat(o.warmupEvents()).isZero();
    assertThat(o.serviceJvmOptions()).isEqualTo("-XX:+UseG1GC");
  }

  @Test
  void badOptionsAreRefusedWithTheirName() {
    for (String bad :
        List.of(
            "--events=0",
            "--events=many",
            "--warmup-events=-1",
            "--copy-repeats=",
            "--service-jvm-options=  ",
            "--nonsense")) {
      assertThatThrownBy(() -> AuditBenchmark.Options.parse(new String[] {bad}, null))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(bad.split("=")[0]);
    }
  }
}
