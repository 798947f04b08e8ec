package dev.runnerguard.policy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.testing.GitHubFixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyTestTest {
  @TempDir Path dir;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  int run(String... args) {
    return PolicyTest.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void printsDecisionsForValidPolicies() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), dev.runnerguard.policy.load.PolicyLoaderTest.GOOD);
    Path payload = dir.resolve("queued.json");
    Files.write(payload, GitHubFixtures.payload("queued.payload.json"));
    assertThat(run(dir.toString(), payload.toString())).isEqualTo(0);
    String json = out.toString(StandardCharsets.UTF_8);
    assertThat(json)
        .contains("\"valid\" : true")
        .contains("\"decision\" : \"DENY\"")
        .contains(
            "repository Codertocat/Hello-World is public and no rule allows public repositories");
  }

  @Test
  void exitsNonZeroOnInvalidPolicies() throws Exception {
    Files.writeString(
        dir.resolve("a.yaml"),
        "apiVersion: runnerguard.dev/v1\nkind: AdmissionPolicy\nrules: [x\n");
    assertThat(run(dir.toString())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("INVALID").contains("a.yaml:");
  }

  @Test
  void usageAndUnreadablePayloads() throws Exception {
    assertThat(run()).isEqualTo(2);
    Files.writeString(dir.resolve("a.yaml"), dev.runnerguard.policy.load.PolicyLoaderTest.GOOD);
    assertThat(run(dir.toString(), dir.resolve("missing.json").toString())).isEqualTo(2);
  }
}
