package dev.runnerguard.token.api;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Body of POST /internal/v1/jit, and its validation (pure). */
public record JitRequest(
    String org,
    String repo,
    String runnerName,
    Long runnerGroupId,
    List<String> labels,
    String workFolder) {
  public static final Pattern RUNNER_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  public static final Pattern GITHUB_NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
  public static final int MAX_LABELS = 100;

  /** Problems found, empty when valid. Messages never echo more than the field name and limits. */
  public List<String> problems() {
    List<String> p = new ArrayList<>();
    if (org == null || !GITHUB_NAME.matcher(org).matches()) {
      p.add("org is required: 1 to 100 characters of letters, digits, '.', '-' or '_'");
    }
    if (repo != null && !GITHUB_NAME.matcher(repo).matches()) {
      p.add("repo, when given, must be 1 to 100 characters of letters, digits, '.', '-' or '_'");
    }
    if (runnerName == null || !RUNNER_NAME.matcher(runnerName).matches()) {
      p.add("runnerName must be 1 to 64 characters of letters, digits, '.', '-' or '_'");
    }
    if (runnerGroupId == null || runnerGroupId < 1) {
      p.add("runnerGroupId is required and must be a positive integer");
    }
    if (labels == null || labels.isEmpty()) {
      p.add("labels must contain at least 1 label");
    } else if (labels.size() > MAX_LABELS) {
      p.add("labels must contain at most " + MAX_LABELS + " labels, got " + labels.size());
    } else if (labels.stream().anyMatch(l -> l == null || l.isBlank() || l.length() > 256)) {
      p.add("labels must be non-empty strings of at most 256 characters");
    }
    if (workFolder != null && (workFolder.isBlank() || workFolder.length() > 256)) {
      p.add("workFolder, when given, must be 1 to 256 characters");
    }
    return p;
  }
}
