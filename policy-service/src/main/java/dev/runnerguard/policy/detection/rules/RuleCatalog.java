package dev.runnerguard.policy.detection.rules;

import dev.runnerguard.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every detection rule the platform ships (SPEC "Detection"), with its id, title, default severity,
 * default response, the evidence it attaches and its tunable parameters with their defaults. The
 * {@code DetectionPolicy} file of a policy directory enables, tunes and sets them to audit mode.
 */
public final class RuleCatalog {
  public static final String UNKNOWN_RUNNER = "unknown-runner-online";
  public static final String RUNNER_REUSED = "ephemeral-runner-reused";
  public static final String FOREIGN_RUNNER = "foreign-runner-platform-labels";
  public static final String NESTED_RUNNER = "nested-runner-agent";
  public static final String PROCESS_SURVIVED = "process-survived-job";
  public static final String MEMORY_READ = "runner-memory-read";
  public static final String EGRESS_DENIED = "egress-outside-allowlist";
  public static final String EGRESS_IOC = "egress-ioc";
  public static final String REVERSE_SHELL = "reverse-shell";
  public static final String CRYPTO_MINER = "crypto-miner";
  public static final String CREDENTIAL_READ = "credential-harvesting";
  public static final String CLOUD_METADATA = "cloud-metadata-access";
  public static final String WORKFLOW_BACKDOOR = "workflow-backdoor";
  public static final String PRIVILEGE_ESCAPE = "privilege-escape";
  public static final String HOST_PERSISTENCE = "host-persistence";
  public static final String GROUP_WEAKENED = "runner-group-weakened";
  public static final String MAX_DURATION = "job-max-duration-exceeded";
  public static final String TELEMETRY_GAP = "telemetry-gap";
  public static final String AFTER_COMPLETED = "activity-after-completed";

  /** Every parameter name a rule may set (beyond enabled, audit, response, severity). */
  public static final Set<String> INT_PARAMS =
      Set.of(
          "threshold",
          "windowSeconds",
          "graceSeconds",
          "maxDurationSeconds",
          "cpuPercent",
          "sustainSeconds");

  public static final Set<String> LIST_PARAMS =
      Set.of(
          "iocs",
          "destinations",
          "ports",
          "allowedPorts",
          "falcoRules",
          "paths",
          "commandPatterns",
          "binaries");

  /**
   * One rule of the catalogue.
   *
   * @param id rule id, used in findings ({@code Finding.ruleId}) and policy files
   * @param title one-line title of its findings
   * @param description what it detects and from which source
   * @param evidence what it attaches to its findings
   * @param severity default severity
   * @param response default response
   * @param ints integer parameters it uses, with defaults
   * @param lists list parameters it uses, with defaults
   */
  public record Def(
      String id,
      String title,
      String description,
      String evidence,
      Severity severity,
      Response response,
      Map<String, Integer> ints,
      Map<String, List<String>> lists) {

    /** The settings the rule has when no policy file mentions it. */
    public RuleSettings defaults() {
      return new RuleSettings(id, true, false, response, severity, ints, lists, "built-in");
    }

    /** True when the rule uses the parameter. */
    public boolean uses(String param) {
      return ints.containsKey(param) || lists.containsKey(param);
    }

    /** The parameters it uses, for messages. */
    public List<String> params() {
      List<String> out = new ArrayList<>(ints.keySet());
      out.addAll(lists.keySet());
      return out;
    }
  }

  private static final Map<String, Def> RULES = new LinkedHashMap<>();

  private static void def(
      String id,
      String title,
      Severity severity,
      Response response,
      String description,
      String evidence,
      Map<String, Integer> ints,
      Map<String, List<String>> lists) {
    RULES.put(id, new Def(id, title, description, evidence, severity, response, ints, lists));
  }

  static {
    def(
        UNKNOWN_RUNNER,
        "Unknown runner online outside the lifecycle",
        Severity.HIGH,
        Response.ALERT,
        "A job went in_progress on a runner named with the platform prefix for which no"
            + " runner.lifecycle event was seen within graceSeconds; or GitHub audit reported a"
            + " runner registration (signal kind runner.registered) of such a runner.",
        "runnerName, jobId, repository, labels, graceSeconds",
        Map.of("graceSeconds", 30),
        Map.of());
    def(
        RUNNER_REUSED,
        "Ephemeral runner reused for a second job",
        Severity.CRITICAL,
        Response.QUARANTINE,
        "A second in_progress webhook names the same runner with a different job id.",
        "runnerName, firstJobId, secondJobId, repositories",
        Map.of(),
        Map.of());
    def(
        FOREIGN_RUNNER,
        "Job on a foreign runner carrying platform labels",
        Severity.HIGH,
        Response.ALERT,
        "A job whose labels include every platform label went in_progress on a runner whose name"
            + " lacks the platform prefix (a runner outside the platform took a platform job).",
        "runnerName, runnerGroup, labels, jobId, repository",
        Map.of(),
        Map.of());
    def(
        NESTED_RUNNER,
        "Nested runner agent started inside a job",
        Severity.CRITICAL,
        Response.QUARANTINE,
        "The host sensor reported process.nested-runner, a process command line matches"
            + " commandPatterns, or a listed Falco rule fired.",
        "signal id, kind, executable, commandLine (redacted), pid, user, falco.rule",
        Map.of(),
        Map.of(
            "commandPatterns",
            List.of("Runner.Listener", "config.sh --url", "/run.sh", "Runner.Worker spawnclient"),
            "falcoRules",
            List.of("RunnerGuard nested runner agent")));
    def(
        PROCESS_SURVIVED,
        "Process survived its job",
        Severity.HIGH,
        Response.QUARANTINE,
        "The host sensor reported process.survived: a process was still running after the job's"
            + " runner program exited (RUNNER_TRACKING_ID evasion).",
        "signal id, executable, commandLine (redacted), pid, user",
        Map.of(),
        Map.of());
    def(
        MEMORY_READ,
        "Read of the runner worker's memory",
        Severity.CRITICAL,
        Response.QUARANTINE,
        "ptrace of a process (kind process.ptrace) or a read of a path matching paths"
            + " (/proc/<pid>/mem), or a listed Falco rule.",
        "signal id, filePath, executable, commandLine (redacted), falco.rule",
        Map.of(),
        Map.of(
            "paths",
            List.of("/proc/*/mem", "/proc/*/task/*/mem"),
            "falcoRules",
            List.of(
                "PTRACE attached to process",
                "PTRACE anti-debug attempt",
                "RunnerGuard runner worker memory read")));
    def(
        EGRESS_DENIED,
        "Egress to a destination outside the job's allowlist",
        Severity.HIGH,
        Response.QUARANTINE,
        "threshold net.egress.denied signals (distinct signal ids, ports not in allowedPorts)"
            + " within windowSeconds on one runner; Falco rules in falcoRules count as denials.",
        "signal ids in the window, count, windowSeconds, destinations",
        Map.of("threshold", 1, "windowSeconds", 60),
        Map.of(
            "allowedPorts",
            List.of(),
            "falcoRules",
            List.of("Unexpected outbound connection destination")));
    def(
        EGRESS_IOC,
        "Egress to a known-bad destination",
        Severity.CRITICAL,
        Response.QUARANTINE,
        "A network signal (net.connect, net.egress.denied, dns.query) whose destination host or"
            + " address matches iocs (host, *.domain, address, CIDR), or a listed Falco rule.",
        "signal id, destination, matched ioc",
        Map.of(),
        Map.of("iocs", List.of(), "falcoRules", List.of("Outbound Connection to C2 Servers")));
    def(
        REVERSE_SHELL,
        "Reverse shell",
        Severity.CRITICAL,
        Response.QUARANTINE,
        "A listed Falco rule fired, or a command line matches commandPatterns.",
        "signal id, commandLine (redacted), destination, falco.rule",
        Map.of(),
        Map.of(
            "falcoRules",
            List.of(
                "Redirect STDOUT/STDIN to Network Connection in Container",
                "Netcat Remote Code Execution in Container",
                "Reverse Shell"),
            "commandPatterns",
            List.of("/dev/tcp/", "/dev/udp/", "nc -e ", "ncat -e ", "socat exec:")));
    def(
        CRYPTO_MINER,
        "Crypto-miner",
        Severity.CRITICAL,
        Response.QUARANTINE,
        "A listed Falco rule; stratum URLs in a command line; a miner binary; a network signal to"
            + " a pool port; or process.cpu-burn with cpuPercent >= cpuPercent over >="
            + " sustainSeconds.",
        "signal id, executable, commandLine (redacted), destination, cpuPercent, windowSeconds",
        Map.of("cpuPercent", 90, "sustainSeconds", 5),
        Map.of(
            "falcoRules",
            List.of(
                "Detect outbound connections to common miner pool ports",
                "Detect crypto miners using the Stratum protocol"),
            "commandPatterns",
            List.of("stratum+tcp://", "stratum+ssl://", "stratum2+tcp://", "--donate-level"),
            "binaries",
            List.of("xmrig", "xmr-stak", "minerd", "cpuminer", "ethminer", "t-rex", "nbminer"),
            "ports",
            List.of("3333", "4444", "5555", "7777", "14433", "14444", "45700")));
    def(
        CREDENTIAL_READ,
        "Credential harvesting read",
        Severity.HIGH,
        Response.ALERT,
        "A file.read of a path matching paths, or a listed Falco rule.",
        "signal id, filePath, executable, commandLine (redacted), falco.rule",
        Map.of(),
        Map.of(
            "paths",
            List.of(
                "/etc/shadow",
                "/etc/gshadow",
                "**/.ssh/id_*",
                "**/.aws/credentials",
                "**/.aws/config",
                "**/.docker/config.json",
                "**/.kube/config",
                "/proc/*/environ"),
            "falcoRules",
            List.of(
                "Read sensitive file untrusted",
                "Read sensitive file trusted after startup",
                "Search Private Keys or Passwords",
                "Read environment variable from /proc files",
                "Find AWS Credentials")));
    def(
        CLOUD_METADATA,
        "Cloud metadata service access",
        Severity.HIGH,
        Response.QUARANTINE,
        "A network signal to one of destinations (169.254.169.254, fd00:ec2::254,"
            + " metadata.google.internal), or a listed Falco rule.",
        "signal id, destination",
        Map.of(),
        Map.of(
            "destinations",
            List.of(
                "169.254.169.254", "fd00:ec2::254", "metadata.google.internal", "100.100.100.200"),
            "falcoRules",
            List.of(
                "Contact EC2 Instance Metadata Service From Container",
                "Contact cloud metadata service from container")));
    def(
        WORKFLOW_BACKDOOR,
        "Workflow backdoor written",
        Severity.HIGH,
        Response.ALERT,
        "A file.write of a path matching paths (.github/workflows/*), or a listed Falco rule.",
        "signal id, filePath, executable, commandLine (redacted)",
        Map.of(),
        Map.of(
            "paths",
            List.of("**/.github/workflows/*", "**/.github/actions/**"),
            "falcoRules",
            List.of("RunnerGuard workflow file written")));
    def(
        PRIVILEGE_ESCAPE,
        "Privilege or container escape",
        Severity.CRITICAL,
        Response.QUARANTINE,
        "Access to a path matching paths (docker.sock), exec of a binary in binaries (sudo where"
            + " forbidden; empty list allows sudo), or a listed Falco rule.",
        "signal id, filePath, executable, commandLine (redacted), falco.rule",
        Map.of(),
        Map.of(
            "paths",
            List.of("/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock"),
            "binaries",
            List.of("sudo", "su", "nsenter"),
            "falcoRules",
            List.of(
                "Launch Privileged Container",
                "Detect release_agent File Container Escapes",
                "Sudo Potential Privilege Escalation",
                "Debugfs Launched in Privileged Container",
                "Mount Launched in Privileged Container")));
    def(
        HOST_PERSISTENCE,
        "Host persistence",
        Severity.HIGH,
        Response.ALERT,
        "A file.write of a path matching paths (cron, systemd units, authorized_keys, shell rc),"
            + " or a listed Falco rule.",
        "signal id, filePath, executable, commandLine (redacted), falco.rule",
        Map.of(),
        Map.of(
            "paths",
            List.of(
                "/etc/cron*",
                "/etc/cron*/**",
                "/var/spool/cron/**",
                "/etc/systemd/system/**",
                "**/.config/systemd/user/**",
                "**/.ssh/authorized_keys",
                "**/.bashrc",
                "**/.bash_profile",
                "**/.profile",
                "**/.zshrc",
                "/etc/profile.d/*"),
            "falcoRules",
            List.of(
                "Schedule Cron Jobs",
                "Modify Shell Configuration File",
                "Adding ssh keys to authorized_keys")));
    def(
        GROUP_WEAKENED,
        "Runner group weakened (public repositories allowed)",
        Severity.HIGH,
        Response.ALERT,
        "A GitHub audit signal runner_group.update (or runner_group.weakened) with attribute"
            + " allowsPublicRepositories=true.",
        "signal id, runnerGroup, actor",
        Map.of(),
        Map.of());
    def(
        MAX_DURATION,
        "Job exceeded its max duration",
        Severity.MEDIUM,
        Response.QUARANTINE,
        "The orchestrator reported job.max-duration-exceeded, or a runner has been BUSY longer"
            + " than its max duration (lifecycle attribute maxDurationSeconds, else"
            + " maxDurationSeconds) plus graceSeconds.",
        "signal id or busy-since, maxDurationSeconds, elapsedSeconds",
        Map.of("maxDurationSeconds", 21_600, "graceSeconds", 60),
        Map.of());
    def(
        TELEMETRY_GAP,
        "Telemetry gap",
        Severity.MEDIUM,
        Response.ALERT,
        "A sensor stopped reporting (telemetry.gap) or Falco dropped events (listed Falco rule).",
        "signal id, sensor, gap attributes",
        Map.of(),
        Map.of("falcoRules", List.of("Falco internal: syscall event drop")));
    def(
        AFTER_COMPLETED,
        "Activity on a runner after its job completed",
        Severity.HIGH,
        Response.QUARANTINE,
        "A process, network or file signal observed more than graceSeconds after the runner's"
            + " job completed (lifecycle COMPLETED/DESTROYED or the completed webhook).",
        "signal id, kind, completedAt, observedAt",
        Map.of("graceSeconds", 10),
        Map.of());
  }

  private RuleCatalog() {}

  /** Every rule, in catalogue order. */
  public static List<Def> all() {
    return List.copyOf(RULES.values());
  }

  /** A rule by id. */
  public static Optional<Def> find(String id) {
    return Optional.ofNullable(RULES.get(id));
  }

  /** A rule by id; throws for an unknown one. */
  public static Def get(String id) {
    return find(id).orElseThrow(() -> new IllegalArgumentException("unknown rule " + id));
  }
}
