package dev.runnerguard.policy.reload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runnerguard.policy.admission.PolicySet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyStoreTest {
  static final String GOOD = dev.runnerguard.policy.load.PolicyLoaderTest.GOOD;

  @TempDir Path dir;
  final List<PolicyStore.Event> events = new ArrayList<>();

  @Test
  void loadsReloadsOnChangeAndKeepsTheLastGoodSetWhenBroken() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), GOOD);
    Files.writeString(dir.resolve("README.md"), "ignored");
    PolicyStore store = new PolicyStore(new PolicyDirectory.OnDisk(dir), events::add);
    assertThat(store.poll()).isEqualTo(PolicyStore.Outcome.LOADED);
    PolicySet first = store.active().orElseThrow();
    assertThat(first.files()).containsExactly("a.yaml");
    assertThat(store.poll()).isEqualTo(PolicyStore.Outcome.UNCHANGED);

    Files.writeString(dir.resolve("a.yaml"), GOOD.replace("localhost:8080", "localhost:8081"));
    assertThat(store.poll()).isEqualTo(PolicyStore.Outcome.LOADED);
    PolicySet second = store.active().orElseThrow();
    assertThat(second.version()).isNotEqualTo(first.version());

    Files.writeString(dir.resolve("b.yaml"), "rules: [oops");
    assertThat(store.poll()).isEqualTo(PolicyStore.Outcome.REJECTED);
    assertThat(store.active()).containsSame(second);
    assertThat(store.lastProblem()).get().asString().contains("b.yaml:1: invalid YAML");
    assertThat(store.poll()).isEqualTo(PolicyStore.Outcome.UNCHANGED); // rejected once

    Files.delete(dir.resolve("b.yaml"));
    assertThat(store.poll()).isEqualTo(PolicyStore.Outcome.LOADED);
    assertThat(store.active().orElseThrow().version()).isEqualTo(second.version());
    assertThat(events)
        .extracting(PolicyStore.Event::outcome)
        .containsExactly(
            PolicyStore.Outcome.LOADED,
            PolicyStore.Outcome.LOADED,
            PolicyStore.Outcome.REJECTED,
            PolicyStore.Outcome.LOADED);
  }

  @Test
  void aMissingDirectoryIsUnreadableAndNothingIsActive() {
    PolicyStore store =
        new PolicyStore(new PolicyDirectory.OnDisk(dir.resolve("nope")), events::add);
    assertThat(store.poll()).isEqualTo(PolicyStore.Outcome.UNREADABLE);
    assertThat(store.active()).isEmpty();
  }

  @Test
  void followsAConfigMapStyleSymlinkSwap() throws Exception {
    Path v1 = Files.createDirectory(dir.resolve("..v1"));
    Path v2 = Files.createDirectory(dir.resolve("..v2"));
    Files.writeString(v1.resolve("a.yaml"), GOOD);
    Files.writeString(v2.resolve("a.yaml"), GOOD.replace("localhost:8080", "localhost:9000"));
    Path data = dir.resolve("..data");
    Files.createSymbolicLink(data, v1.getFileName());
    Files.createSymbolicLink(dir.resolve("a.yaml"), Path.of("..data/a.yaml"));
    PolicyStore store = new PolicyStore(new PolicyDirectory.OnDisk(dir), events::add);
    assertThat(store.poll()).isEqualTo(PolicyStore.Outcome.LOADED);
    String before = store.active().orElseThrow().version();
    Path tmp = dir.resolve("..data_tmp");
    Files.createSymbolicLink(tmp, v2.getFileName());
    Files.move(
        tmp,
        data,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(store.poll()).isEqualTo(PolicyStore.Outcome.LOADED);
    assertThat(store.active().orElseThrow().version()).isNotEqualTo(before);
  }
}
