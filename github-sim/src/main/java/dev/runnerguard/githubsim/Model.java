package dev.runnerguard.githubsim;

import java.time.Instant;
import java.util.List;

/** The simulator's mutable records (guarded by {@link Sim}'s lock). */
final class Model {
  private Model() {}

  record Group(long id, String name, String visibility, boolean isDefault, boolean allowsPublic) {}

  static final List<Group> GROUPS =
      List.of(
          new Group(1, "Default", "all", true, false),
          new Group(2, "runnerguard-private", "all", false, false),
          new Group(3, "runnerguard-public", "all", false, true));

  /** Labels GitHub gives every self-hosted Linux runner (type read-only). */
  static final List<String> DEFAULT_LABELS = List.of("self-hosted", "Linux", "X64");

  static final class Runner {
    long id;
    String name;
    String org;
    String repo; // owner/name for repository-level runners, null for org runners
    long groupId;
    List<String> labels; // custom labels
    String workFolder;
    String credential;
    boolean online;
    boolean busy;
    boolean foreign;
    Long jobId;
    boolean used; // took its one job
    String os = "unknown";
    Instant createdAt;
  }

  static final class Job {
    long id;
    long runId;
    String org;
    String repoName;
    String fullName;
    long repoId;
    String visibility;
    List<String> labels;
    List<String> steps;
    Long groupId;
    String misbehaviour;
    String exfiltrateTo;
    int misbehaviourSeconds;
    String status = "queued";
    String conclusion;
    Long runnerId;
    String runnerName;
    Long runnerGroupId;
    String runnerGroupName;
    int failedStep;
    String name;
    String workflowName;
    String headSha;
    Instant createdAt;
    Instant startedAt;
    Instant completedAt;
  }
}
