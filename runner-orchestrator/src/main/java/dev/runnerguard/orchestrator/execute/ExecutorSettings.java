package dev.runnerguard.orchestrator.execute;

import java.nio.file.Path;
import java.util.Map;

/**
 * How actions are executed.
 *
 * @param workers worker threads for provisioning and destroying (actions of one runner run in order
 *     on one of them)
 * @param evidenceRoot the evidence store: one directory per quarantine
 * @param runnerGroupIds GitHub runner group id by the group name admission uses
 * @param workFolder the runner's work folder name
 * @param platformLabels labels every platform runner registers with besides its class's labels
 */
public record ExecutorSettings(
    int workers,
    Path evidenceRoot,
    Map<String, Long> runnerGroupIds,
    String workFolder,
    java.util.List<String> platformLabels) {

  /** The group id for a group name: configured, or the name itself when numeric. */
  public Long runnerGroupId(String name) {
    if (name == null) {
      return runnerGroupIds.get("Default");
    }
    Long id = runnerGroupIds.get(name);
    if (id != null) {
      return id;
    }
    try {
      return Long.parseLong(name);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
