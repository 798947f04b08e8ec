package dev.runnerguard.policy.detection.falco;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The falcosidekick JSON fixtures under {@code src/test/resources/falco/}. */
public final class FalcoFixtures {
  public static final String[] ALL = {
    "miner-pool-port.json",
    "nested-runner.json",
    "read-shadow.json",
    "metadata-service.json",
    "reverse-shell.json",
    "syscall-drops.json",
    "unmapped-pod.json"
  };

  private FalcoFixtures() {}

  public static byte[] bytes(String name) {
    try (InputStream in =
        FalcoFixtures.class.getClassLoader().getResourceAsStream("falco/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing fixture falco/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
