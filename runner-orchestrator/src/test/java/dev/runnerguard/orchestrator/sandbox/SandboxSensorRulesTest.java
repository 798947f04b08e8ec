package dev.runnerguard.orchestrator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class SandboxSensorRulesTest {

  @Test
  void nestedRunnerAgentsAreRecognised() {
    String sim = "/opt/sim/sim-runner.sh";
    assertThat(
            HostSensor.isNestedRunner(
                List.of(
                    "sh",
                    "/home/runner/actions-runner/bin/Runner.Listener",
                    "config.sh",
                    "--url",
                    "https://github.com/a/b"),
                sim))
        .isTrue();
    assertThat(
            HostSensor.isNestedRunner(
                List.of("./config.sh", "--url", "https://github.com/a/b", "--token", "x"), sim))
        .isTrue();
    assertThat(HostSensor.isNestedRunner(List.of("/bin/bash", "/tmp/x/run.sh"), sim)).isTrue();
    assertThat(HostSensor.isNestedRunner(List.of("/bin/sh", sim), sim)).isFalse();
    assertThat(HostSensor.isNestedRunner(List.of("./config.sh", "--help"), sim)).isFalse();
    assertThat(HostSensor.isNestedRunner(List.of("sleep", "300"), sim)).isFalse();
    assertThat(HostSensor.isNestedRunner(List.of(), sim)).isFalse();
  }

  @Test
  void theConfiguredActionsRunnerIsNotNested() {
    String run = "/opt/actions-runner/run.sh";
    assertThat(HostSensor.isNestedRunner(List.of("/bin/bash", run), run)).isFalse();
    assertThat(
            HostSensor.isNestedRunner(
                List.of("/opt/actions-runner/bin/Runner.Listener", "run"), run))
        .isFalse();
    assertThat(
            HostSensor.isNestedRunner(
                List.of("/bin/bash", "/opt/actions-runner/run-helper.sh"), run))
        .isFalse();
    assertThat(
            HostSensor.isNestedRunner(List.of("/home/runner/evil/bin/Runner.Listener", "run"), run))
        .isTrue();
  }

  @Test
  void parsesTheDeniedSets() throws Exception {
    String json =
        "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}},"
            + "{\"set\": {\"family\": \"ip\", \"name\": \"denied\", \"table\": \"rg\", \"elem\": ["
            + "{\"elem\": {\"val\": {\"concat\": [\"127.0.0.1\", \"tcp\", 5]}, \"expires\": 118,"
            + " \"counter\": {\"packets\": 3, \"bytes\": 180}}}]}},"
            + "{\"set\": {\"family\": \"ip\", \"name\": \"denied_other\", \"table\": \"rg\", \"elem\": ["
            + "{\"elem\": {\"val\": {\"concat\": [\"10.9.9.9\", \"icmp\"]}, \"counter\": {\"packets\": 1, \"bytes\": 84}}}]}}]}";
    assertThat(HostSensor.parseDenied(new ObjectMapper().readTree(json)))
        .containsExactly(
            new HostSensor.Denied("127.0.0.1", "tcp", 5, 3),
            new HostSensor.Denied("10.9.9.9", "icmp", null, 1));
    assertThat(HostSensor.parseDenied(new ObjectMapper().readTree("{\"nftables\": []}"))).isEmpty();
  }
}
