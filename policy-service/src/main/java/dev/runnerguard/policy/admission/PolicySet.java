package dev.runnerguard.policy.admission;

import dev.runnerguard.policy.detection.rules.DetectionConfig;
import java.util.List;

/**
 * A complete, validated admission policy set: every rule of every file of a policy directory.
 * Immutable; a new set replaces the old one whole, so nothing is ever half-applied.
 *
 * @param version content hash of the whole directory ({@code sha256:<12 hex>})
 * @param source where it was loaded from (a directory or the class path)
 * @param files the file names it was built from, sorted
 * @param allowlist the organisations and repositories allowed at all
 * @param rules every rule in declaration order (files sorted by name)
 * @param detection the detection settings (the directory's {@code DetectionPolicy} file, or the
 *     built-in defaults when it has none)
 */
public record PolicySet(
    String version,
    String source,
    List<String> files,
    Allowlist allowlist,
    List<Rule> rules,
    DetectionConfig detection) {

  public PolicySet {
    files = List.copyOf(files);
    rules = List.copyOf(rules);
    java.util.Objects.requireNonNull(detection, "detection");
  }

  /** A set with the built-in detection defaults. */
  public PolicySet(
      String version, String source, List<String> files, Allowlist allowlist, List<Rule> rules) {
    this(version, source, files, allowlist, rules, DetectionConfig.defaults());
  }

  /**
   * Organisations and repositories allowed to use self-hosted runners at all. Patterns: {@code *}
   * (any), an exact name, or for repositories {@code owner/*}. Case-insensitive.
   */
  public record Allowlist(List<String> organizations, List<String> repositories) {
    public Allowlist {
      organizations = List.copyOf(organizations);
      repositories = List.copyOf(repositories);
    }
  }
}
