package dev.runnerguard.githubsim;

import dev.runnerguard.githubsim.Model.Group;
import dev.runnerguard.githubsim.Model.Job;
import dev.runnerguard.githubsim.Model.Runner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** Runner registry, jobs and their routing; every state change under one lock. */
@ApplicationScoped
public class Sim {

  @Inject AppRegistry apps;
  @Inject WebhookSender webhooks;
  @Inject SimConfig config;

  final Faults faults = new Faults();
  private final SecureRandom random = new SecureRandom();
  private final Object lock = new Object();
  private final Map<Long, Runner> runners = new LinkedHashMap<>();
  private final Map<Long, Job> jobs = new LinkedHashMap<>();
  // Realistic ids: jobs and runs beyond 2^32, runners small.
  private final AtomicLong nextJobId = new AtomicLong(30_000_000_000L + random.nextInt(1_000_000));
  private final AtomicLong nextRunId = new AtomicLong(12_000_000_000L + random.nextInt(1_000_000));
  private final AtomicLong nextRunnerId = new AtomicLong(100);

  // ---- runner groups ----

  Optional<Group> group(long id) {
    return Model.GROUPS.stream().filter(g -> g.id() == id).findFirst();
  }

  // ---- runners ----

  /** Registers a JIT runner; throws 409 when the name exists in the scope. */
  Runner registerRunner(
      String org,
      String repo,
      String name,
      long groupId,
      List<String> labels,
      String workFolder,
      boolean foreign) {
    synchronized (lock) {
      for (Runner r : runners.values()) {
        if (r.org.equalsIgnoreCase(org) && eq(r.repo, repo) && r.name.equalsIgnoreCase(name)) {
          throw ApiError.github(
              409, "Already exists - A runner with the name " + name + " already exists.");
        }
      }
      Runner r = new Runner();
      r.id = nextRunnerId.getAndIncrement();
      r.name = name;
      r.org = org;
      r.repo = repo;
      r.groupId = groupId;
      r.labels = List.copyOf(labels);
      r.workFolder = workFolder;
      r.credential = "simrc_" + apps.randomString(40);
      r.foreign = foreign;
      r.createdAt = Instant.now();
      runners.put(r.id, r);
      return r;
    }
  }

  private static boolean eq(String a, String b) {
    return a == null ? b == null : b != null && a.equalsIgnoreCase(b);
  }

  /** The secret blob: base64 of a flat JSON the simulated runner reads with sed. */
  String encodedJitConfig(Runner r, String baseUrl) {
    String json =
        "{\"url\":\""
            + baseUrl
            + "\",\"runner_id\":\""
            + r.id
            + "\",\"runner_name\":\""
            + r.name
            + "\",\"credential\":\""
            + r.credential
            + "\",\"work_folder\":\""
            + r.workFolder
            + "\"}";
    return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  List<Runner> runners(String org, String repo) {
    synchronized (lock) {
      return runners.values().stream()
          .filter(r -> org == null || r.org.equalsIgnoreCase(org))
          .filter(r -> org == null || eq(r.repo, repo))
          .toList();
    }
  }

  Optional<Runner> runner(long id) {
    synchronized (lock) {
      return Optional.ofNullable(runners.get(id));
    }
  }

  /** Deletes a registration: 404 unknown, 422 while it runs a job. */
  void deleteRunner(String org, String repo, long id) {
    synchronized (lock) {
      Runner r = runners.get(id);
      if (r == null || !r.org.equalsIgnoreCase(org) || !eq(r.repo, repo)) {
        throw ApiError.github(404, "Not Found");
      }
      if (r.busy) {
        throw ApiError.validation(
            List.of("Bad request - Runner \"" + r.name + "\" is still running a job\""));
      }
      runners.remove(id);
      lock.notifyAll();
    }
  }

  Map<String, Object> runnerJson(Runner r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id);
    m.put("name", r.name);
    m.put("os", r.os);
    m.put("status", r.online ? "online" : "offline");
    m.put("busy", r.busy);
    m.put("ephemeral", true);
    m.put("runner_group_id", r.groupId);
    List<Map<String, Object>> labels = new ArrayList<>();
    long i = 1;
    Set<String> seen = new LinkedHashSet<>();
    for (String l : Model.DEFAULT_LABELS) {
      seen.add(l.toLowerCase(Locale.ROOT));
      labels.add(Map.of("id", i++, "name", l, "type", "read-only"));
    }
    for (String l : r.labels) {
      if (seen.add(l.toLowerCase(Locale.ROOT))) {
        labels.add(Map.of("id", i++, "name", l, "type", "custom"));
      }
    }
    m.put("labels", labels);
    return m;
  }

  // ---- jobs ----

  record JobSpec(
      String repository,
      String visibility,
      List<String> labels,
      List<String> steps,
      Long groupId,
      String misbehaviour,
      String exfiltrateTo,
      int misbehaviourSeconds,
      String name,
      String workflowName) {}

  Job enqueue(JobSpec spec) {
    Job j = new Job();
    synchronized (lock) {
      j.id = nextJobId.getAndIncrement();
      j.runId = nextRunId.getAndIncrement();
      int slash = spec.repository().indexOf('/');
      j.org = spec.repository().substring(0, slash);
      j.repoName = spec.repository().substring(slash + 1);
      j.fullName = spec.repository();
      j.repoId = 100_000_000L + Math.floorMod(spec.repository().hashCode(), 800_000_000);
      j.visibility = spec.visibility();
      j.labels = List.copyOf(spec.labels());
      j.steps = List.copyOf(spec.steps());
      j.groupId = spec.groupId();
      j.misbehaviour = spec.misbehaviour();
      j.exfiltrateTo = spec.exfiltrateTo();
      j.misbehaviourSeconds = spec.misbehaviourSeconds();
      j.name = spec.name();
      j.workflowName = spec.workflowName();
      byte[] sha = new byte[20];
      random.nextBytes(sha);
      j.headSha = HexFormat.of().formatHex(sha);
      j.createdAt = now();
      jobs.put(j.id, j);
      webhooks.send("queued", j.id, payload("queued", j), false);
      lock.notifyAll();
    }
    return j;
  }

  Optional<Job> job(long id) {
    synchronized (lock) {
      return Optional.ofNullable(jobs.get(id));
    }
  }

  List<Job> jobs() {
    synchronized (lock) {
      return new ArrayList<>(jobs.values());
    }
  }

  /** Whether GitHub would route this job to this runner: labels, runner group, scope. */
  boolean fits(Job j, Runner r) {
    if (!j.org.equalsIgnoreCase(r.org)) {
      return false;
    }
    if (r.repo != null && !r.repo.equalsIgnoreCase(j.fullName)) {
      return false;
    }
    if (j.groupId != null && j.groupId != r.groupId) {
      return false;
    }
    if ("public".equals(j.visibility) && !group(r.groupId).map(Group::allowsPublic).orElse(false)) {
      return false;
    }
    Set<String> have = new LinkedHashSet<>();
    Model.DEFAULT_LABELS.forEach(l -> have.add(l.toLowerCase(Locale.ROOT)));
    r.labels.forEach(l -> have.add(l.toLowerCase(Locale.ROOT)));
    return j.labels.stream().allMatch(l -> have.contains(l.toLowerCase(Locale.ROOT)));
  }

  Runner runnerByCredential(String credential) {
    if (credential == null || credential.isBlank()) {
      throw ApiError.control(401, "unauthenticated", "X-Sim-Runner-Credential is missing");
    }
    for (Runner r : runners.values()) {
      if (r.credential.equals(credential)) {
        return r;
      }
    }
    throw ApiError.control(
        401, "unknown_runner", "no runner registration for this credential (deleted or used)");
  }

  Runner connect(String credential) {
    synchronized (lock) {
      Runner r = runnerByCredential(credential);
      if (r.used && !r.busy) {
        throw ApiError.control(410, "runner_used", "this JIT runner already ran its job");
      }
      r.online = true;
      r.os = "linux";
      return r;
    }
  }

  /** Long-poll: the job the runner takes (any queued job that fits), or empty after the wait. */
  Optional<Job> claim(String credential, long waitMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + waitMillis;
    synchronized (lock) {
      while (true) {
        Runner r = runnerByCredential(credential);
        r.online = true;
        r.os = "linux";
        if (r.jobId != null) {
          Job current = jobs.get(r.jobId);
          if (r.busy && current != null && "in_progress".equals(current.status)) {
            return Optional.of(current); // a repeated poll gets the same job
          }
          throw ApiError.control(410, "runner_used", "this JIT runner already ran its job");
        }
        for (Job j : jobs.values()) {
          if ("queued".equals(j.status) && fits(j, r)) {
            start(j, r);
            return Optional.of(j);
          }
        }
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          return Optional.empty();
        }
        lock.wait(left);
      }
    }
  }

  private void start(Job j, Runner r) {
    j.status = "in_progress";
    j.startedAt = now();
    j.runnerId = r.id;
    j.runnerName = r.name;
    j.runnerGroupId = r.groupId;
    j.runnerGroupName = group(r.groupId).map(Group::name).orElse("Default");
    r.busy = true;
    r.used = true;
    r.jobId = j.id;
    webhooks.send("in_progress", j.id, payload("in_progress", j), false);
  }

  /** The runner's report; the ephemeral runner is then deregistered, as on GitHub. */
  Job complete(String credential, long jobId, String conclusion, int failedStep) {
    synchronized (lock) {
      Runner r = runnerByCredential(credential);
      if (r.jobId == null || r.jobId != jobId) {
        throw ApiError.control(409, "not_your_job", "this runner does not run job " + jobId);
      }
      Job j = jobs.get(jobId);
      r.busy = false;
      runners.remove(r.id);
      if ("completed".equals(j.status)) {
        return j; // cancelled meanwhile
      }
      finish(j, conclusion, failedStep);
      return j;
    }
  }

  private void finish(Job j, String conclusion, int failedStep) {
    j.status = "completed";
    j.conclusion = conclusion;
    j.failedStep = failedStep;
    j.completedAt = now();
    webhooks.send("completed", j.id, payload("completed", j), faults.takeDropCompleted());
  }

  /** Cancels the run's job: 404 unknown, 409 completed. */
  void cancelRun(String owner, String repo, long runId) {
    synchronized (lock) {
      Job j =
          jobs.values().stream()
              .filter(x -> x.runId == runId && x.fullName.equalsIgnoreCase(owner + "/" + repo))
              .findFirst()
              .orElseThrow(() -> ApiError.github(404, "Not Found"));
      if ("completed".equals(j.status)) {
        throw ApiError.github(409, "Cannot cancel a workflow run that is completed.");
      }
      if (j.runnerId != null) {
        Runner r = runners.get(j.runnerId);
        if (r != null) {
          r.busy = false;
        }
      }
      finish(j, "cancelled", 0);
      lock.notifyAll();
    }
  }

  // ---- JSON ----

  Map<String, Object> jobJson(Job j, String apiBase) {
    String repoApi = apiBase + "/repos/" + j.fullName;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", j.id);
    m.put("run_id", j.runId);
    m.put("run_url", repoApi + "/actions/runs/" + j.runId);
    m.put("run_attempt", 1);
    m.put("node_id", "CR_kwDO" + Base64.getEncoder().encodeToString(("job" + j.id).getBytes()));
    m.put("head_sha", j.headSha);
    m.put("head_branch", "main");
    m.put("url", repoApi + "/actions/jobs/" + j.id);
    m.put(
        "html_url",
        "https://github.com/" + j.fullName + "/actions/runs/" + j.runId + "/job/" + j.id);
    m.put("status", j.status);
    m.put("conclusion", j.conclusion);
    m.put("created_at", ts(j.createdAt));
    m.put("started_at", ts(j.startedAt != null ? j.startedAt : j.createdAt));
    m.put("completed_at", ts(j.completedAt));
    m.put("name", j.name);
    m.put("steps", steps(j));
    m.put("check_run_url", repoApi + "/check-runs/" + j.id);
    m.put("labels", j.labels);
    m.put("runner_id", j.runnerId);
    m.put("runner_name", j.runnerName);
    m.put("runner_group_id", j.runnerGroupId);
    m.put("runner_group_name", j.runnerGroupName);
    m.put("workflow_name", j.workflowName);
    return m;
  }

  private List<Map<String, Object>> steps(Job j) {
    List<Map<String, Object>> out = new ArrayList<>();
    if ("queued".equals(j.status)) {
      return out;
    }
    List<String> names = new ArrayList<>();
    names.add("Set up job");
    for (String s : j.steps) {
      String first = s.lines().findFirst().orElse("");
      names.add("Run " + (first.length() > 60 ? first.substring(0, 60) : first));
    }
    names.add("Complete job");
    for (int i = 0; i < names.size(); i++) {
      int number = i + 1;
      String status;
      String conclusion;
      if ("in_progress".equals(j.status)) {
        status = i == 0 ? "in_progress" : "queued";
        conclusion = null;
      } else if ("cancelled".equals(j.conclusion)) {
        status = "completed";
        conclusion = "cancelled";
      } else {
        status = "completed";
        int failedNumber = j.failedStep > 0 ? j.failedStep + 1 : 0;
        if (failedNumber == 0 || number < failedNumber || number == names.size()) {
          conclusion = "success";
        } else if (number == failedNumber) {
          conclusion = "failure";
        } else {
          conclusion = "skipped";
        }
      }
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("name", names.get(i));
      s.put("status", status);
      s.put("conclusion", conclusion);
      s.put("number", number);
      s.put("started_at", "queued".equals(status) ? null : ts(j.startedAt));
      s.put("completed_at", "completed".equals(status) ? ts(j.completedAt) : null);
      out.add(s);
    }
    return out;
  }

  Map<String, Object> payload(String action, Job j) {
    String base = "https://api.github.com";
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("action", action);
    p.put("workflow_job", jobJson(j, base));
    long orgId = 10_000_000L + Math.floorMod(j.org.hashCode(), 90_000_000);
    Map<String, Object> owner = new LinkedHashMap<>();
    owner.put("login", j.org);
    owner.put("id", orgId);
    owner.put("node_id", "O_kgDO" + orgId);
    owner.put("url", base + "/users/" + j.org);
    owner.put("html_url", "https://github.com/" + j.org);
    owner.put("type", "Organization");
    owner.put("site_admin", false);
    Map<String, Object> repo = new LinkedHashMap<>();
    repo.put("id", j.repoId);
    repo.put("node_id", "R_kgDO" + j.repoId);
    repo.put("name", j.repoName);
    repo.put("full_name", j.fullName);
    repo.put("private", !"public".equals(j.visibility));
    repo.put("owner", owner);
    repo.put("html_url", "https://github.com/" + j.fullName);
    repo.put("description", null);
    repo.put("fork", false);
    repo.put("url", base + "/repos/" + j.fullName);
    repo.put("created_at", "2024-01-15T10:00:00Z");
    repo.put("updated_at", "2024-01-15T10:00:00Z");
    repo.put("pushed_at", ts(j.createdAt));
    repo.put("clone_url", "https://github.com/" + j.fullName + ".git");
    repo.put("archived", false);
    repo.put("disabled", false);
    repo.put("default_branch", "main");
    repo.put("visibility", j.visibility);
    p.put("repository", repo);
    Map<String, Object> org = new LinkedHashMap<>();
    org.put("login", j.org);
    org.put("id", orgId);
    org.put("node_id", "O_kgDO" + orgId);
    org.put("url", base + "/orgs/" + j.org);
    org.put("description", "");
    p.put("organization", org);
    Map<String, Object> sender = new LinkedHashMap<>();
    sender.put("login", "octocat");
    sender.put("id", 583231);
    sender.put("node_id", "MDQ6VXNlcjU4MzIzMQ==");
    sender.put("type", "User");
    sender.put("site_admin", false);
    p.put("sender", sender);
    apps.installationForOrg(j.org)
        .ifPresent(
            i ->
                p.put(
                    "installation",
                    Map.of(
                        "id",
                        i.id(),
                        "node_id",
                        Base64.getEncoder()
                            .encodeToString(
                                ("023:IntegrationInstallation" + i.id())
                                    .getBytes(StandardCharsets.UTF_8)))));
    return p;
  }

  static String ts(Instant t) {
    return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  static Instant now() {
    return Instant.now();
  }
}
