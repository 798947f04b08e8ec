package dev.runnerguard.orchestrator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxStateTest {

  @Test
  void roundTripsAtomicallyAndRootOnly(@TempDir Path dir) throws Exception {
    Instant now = Instant.parse("2026-11-27T10:00:00Z");
    SandboxState s =
        new SandboxState(
            1,
            "rg-1-1",
            1L,
            "linux",
            3,
            "10.213.0.13",
            "10.213.0.14",
            65534,
            65534,
            "/opt/run.sh",
            now,
            now.plusSeconds(3600),
            List.of("127.0.0.1:8090"),
            List.of("*.x.com: denied"));
    s.write(dir);
    assertThat(SandboxState.read(dir)).contains(s);
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("state.json"))))
        .isEqualTo("rw-------");
    assertThat(Files.readString(dir.resolve("state.json")))
        .contains("\"createdAt\" : \"2026-11-27T10:00:00Z\"");
    assertThat(dir.resolve("state.json.tmp")).doesNotExist();
  }

  @Test
  void missingOrCorruptStateReadsAsAbsent(@TempDir Path dir) throws Exception {
    assertThat(SandboxState.read(dir)).isEmpty();
    Files.writeString(dir.resolve("state.json"), "{not json");
    assertThat(SandboxState.read(dir)).isEmpty();
  }

  @Test
  void configDefaults() {
    LocalSandboxConfig c = LocalSandboxConfig.builder(Path.of("/opt/sim-runner.sh")).build();
    assertThat(c.namePrefix()).isEqualTo("rg");
    assertThat(c.addressPool()).isEqualTo("10.213.0.0/16");
    assertThat(c.runnerUid()).isEqualTo(65534);
    assertThat(c.cgroupParent()).isEqualTo("runnerguard-sandbox");
    assertThat(c.cpuBurnShare()).isEqualTo(0.9);
    assertThat(c.cpuBurnWindow()).hasSeconds(10);
    assertThat(c.allowSandboxLoopback()).isFalse();
    assertThat(c.toBuilder().namePrefix("rgt").build().namePrefix()).isEqualTo("rgt");
  }
}
