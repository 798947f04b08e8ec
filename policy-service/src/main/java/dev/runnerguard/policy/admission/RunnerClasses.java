package dev.runnerguard.policy.admission;

import dev.runnerguard.schemas.avro.RunnerSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Derives a runner class name deterministically from (runner group, sorted label set, spec), so
 * that every job GitHub could route to the same runner gets the same class name, and two different
 * specs never share one.
 */
public final class RunnerClasses {
  private RunnerClasses() {}

  /**
   * Fills the spec's {@code runnerClass} from its other fields and returns it (no Avro deep copy:
   * Avro's shared SpecificData may hold classes of another class loader under Quarkus tests).
   */
  public static RunnerSpec withClass(RunnerSpec spec) {
    spec.setRunnerClass(name(spec));
    return spec;
  }

  /** {@code rc-<16 hex of sha256(canonical form)>}. */
  public static String name(RunnerSpec spec) {
    return "rc-" + sha256(canonical(spec)).substring(0, 16);
  }

  /** One line per field, lists sorted; the input of the class name. */
  public static String canonical(RunnerSpec spec) {
    SortedSet<String> labels = new TreeSet<>(spec.getLabels());
    SortedSet<String> egress = new TreeSet<>(spec.getEgressAllowlist());
    return String.join(
        "\n",
        List.of(
            "group=" + spec.getRunnerGroup(),
            "labels=" + String.join(",", labels),
            "provider=" + spec.getProvider(),
            "isolation=" + spec.getIsolation(),
            "image=" + spec.getImage(),
            "egress=" + String.join(",", egress),
            "maxDurationSeconds=" + spec.getMaxDurationSeconds(),
            "cpuMillis=" + spec.getCpuMillis(),
            "memoryMb=" + spec.getMemoryMb()));
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
