package dev.runnerguard.policy.load;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One policy file's name (relative to its directory) and raw content.
 *
 * @param name file name, e.g. {@code admission.yaml}
 * @param content raw bytes
 */
public record PolicyFile(String name, byte[] content) {
  public PolicyFile {
    Objects.requireNonNull(name, "name");
    content = content.clone();
  }

  /** A file from text (tests, the policy test endpoint). */
  public static PolicyFile of(String name, String text) {
    return new PolicyFile(name, text.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public byte[] content() {
    return content.clone();
  }

  /**
   * True for the files a policy directory is made of: {@code *.yaml}, {@code *.yml}, not hidden.
   */
  public static boolean isPolicyFileName(String name) {
    return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml"));
  }
}
