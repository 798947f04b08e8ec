package dev.runnerguard.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class KafkaBrokerProcessTest {

  @Test
  void theBrokerRunsWithTheLaunchersFlagsUnlessTheEnvironmentSaysOtherwise() {
    assertThat(KafkaBrokerProcess.brokerJvmOptions(null))
        .isEqualTo(KafkaBrokerProcess.BROKER_JVM_OPTIONS)
        .contains("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20");
    assertThat(KafkaBrokerProcess.brokerJvmOptions("  "))
        .isEqualTo(KafkaBrokerProcess.BROKER_JVM_OPTIONS);
    assertThat(KafkaBrokerProcess.brokerJvmOptions(" -Xmx1g   -XX:+UseZGC "))
        .isEqualTo(List.of("-Xmx1g", "-XX:+UseZGC"));
  }

  /** The benchmarks measure the broker the platform runs: ./runnerguard starts it the same way. */
  @Test
  void theLauncherStartsItsBrokerWithTheSameFlags() throws Exception {
    String launcher = Files.readString(Path.of("..", "runnerguard"));
    String kafkaLine =
        launcher
            .lines()
            .filter(line -> line.contains("-XX:+UseG1GC") && line.contains("$KAFKA_HEAP"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no broker command line in ./runnerguard"));
    assertThat(launcher).contains("KAFKA_HEAP=\"${RUNNERGUARD_KAFKA_HEAP:-512m}\"");
    for (String option : KafkaBrokerProcess.BROKER_JVM_OPTIONS) {
      if (option.startsWith("-Xmx")) {
        assertThat(option).isEqualTo("-Xmx512m");
      } else {
        assertThat(kafkaLine).contains(option);
      }
    }
  }
}
