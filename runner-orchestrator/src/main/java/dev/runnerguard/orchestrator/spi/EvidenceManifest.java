package dev.runnerguard.orchestrator.spi;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link RunnerProvider#captureEvidence} wrote.
 *
 * @param directory the evidence directory
 * @param files one entry per file written, with its SHA-256 and size
 */
public record EvidenceManifest(Path directory, List<Item> files) {

  public EvidenceManifest {
    files = List.copyOf(files);
  }

  /**
   * One evidence file.
   *
   * @param name file name relative to the directory, e.g. {@code processes.txt}
   * @param kind what it holds: {@code processes}, {@code connections}, {@code workspace}, {@code
   *     logs}
   * @param sha256 hex SHA-256 of the file
   * @param bytes size
   */
  public record Item(String name, String kind, String sha256, long bytes) {}
}
