package dev.runnerguard.orchestrator.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Configuration of the {@code local-sandbox} provider. Build one with {@link #builder(Path)}; every
 * field has a documented default.
 *
 * @param runnerCommand the runner program started inside the sandbox: the real {@code run.sh} of
 *     actions/runner, or the github-sim runner {@code sim-runner.sh}. Must be readable by the
 *     runner uid and lie outside the hidden paths. Run directly when executable, else through its
 *     {@code #!} interpreter. No default.
 * @param runnerArgs extra arguments for the runner command (never secrets). Default none.
 * @param stateDir per-runner state (state.json, launch script, logs, exit code, workspace mount).
 *     Hidden inside every sandbox. Default {@code $RUNNERGUARD_HOME/sandbox} when RUNNERGUARD_HOME
 *     is set, else {@code /run/runnerguard/sandbox}.
 * @param namePrefix short prefix (1-4 lowercase letters/digits, starting with a letter) for network
 *     namespaces ({@code <prefix>-<runnerId>}), veths ({@code <prefix>h<hash>}) and host nft tables
 *     ({@code <prefix>_<hash>}). Default {@code rg}.
 * @param addressPool IPv4 CIDR split into one /30 per runner (host side .1, runner side .2).
 *     Default {@code 10.213.0.0/16} (16384 runners).
 * @param cgroupRoot where the cgroup v1 controllers are mounted. Default {@code /sys/fs/cgroup}.
 * @param cgroupParent cgroup directory (in each controller) holding one cgroup per runner. Default
 *     {@code runnerguard-sandbox}.
 * @param runnerUid uid of the runner processes (non-root). Default 65534.
 * @param runnerGid gid of the runner processes. Default 65534.
 * @param uidPerRunner when true each runner gets {@code runnerUid + slot} / {@code runnerGid +
 *     slot} (slot = its address-pool index), so no two runners share a uid. Default false.
 * @param workspaceSizeMb size of the tmpfs holding the runner's home ({@code /home/runner}) and
 *     {@code /tmp}. Default 2048.
 * @param pidsMax cgroup pids.max. Default 4096.
 * @param defaultCpuMillis CPU quota when the request gives none; null = unlimited. Default null.
 * @param defaultMemoryMb memory limit when the request gives none; null = unlimited. Default null.
 * @param hidePaths host paths replaced by an empty tmpfs inside the sandbox, besides {@code /run},
 *     {@code /home}, {@code /var/run} and the state dir (always hidden). Default none.
 * @param allowSandboxLoopback when true traffic inside the runner's own loopback is allowed (a
 *     job's local test server); when false (default) every loopback destination that is not
 *     allowlisted is denied and observed like any other egress.
 * @param enableIpForward when a runner is allowed a non-loopback destination, set {@code
 *     net.ipv4.ip_forward=1} (the host must route and masquerade its traffic). Default true.
 * @param commandTimeout timeout of one host command (ip, nft, mount, ...). Default 10 s.
 * @param sensorEnabled run the host sensor. Default true.
 * @param sensorInterval how often the sensor polls processes, cgroups and the denied-egress sets.
 *     Default 150 ms.
 * @param cpuBurnShare CPU share (1.0 = one full core) above which a runner burns CPU. Default 0.9.
 * @param cpuBurnWindow how long the share must be sustained. Default 10 s.
 * @param survivorGrace how long a process must outlive the runner program before it is reported as
 *     a survivor. Default 500 ms.
 * @param dedupeWindow one observation per act per runner in this window (egress per destination,
 *     cpu-burn per runner). Default 60 s.
 */
public record LocalSandboxConfig(
    Path runnerCommand,
    List<String> runnerArgs,
    Path stateDir,
    String namePrefix,
    String addressPool,
    Path cgroupRoot,
    String cgroupParent,
    int runnerUid,
    int runnerGid,
    boolean uidPerRunner,
    int workspaceSizeMb,
    int pidsMax,
    Integer defaultCpuMillis,
    Integer defaultMemoryMb,
    List<Path> hidePaths,
    boolean allowSandboxLoopback,
    boolean enableIpForward,
    Duration commandTimeout,
    boolean sensorEnabled,
    Duration sensorInterval,
    double cpuBurnShare,
    Duration cpuBurnWindow,
    Duration survivorGrace,
    Duration dedupeWindow) {

  private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9]{0,3}");
  private static final Pattern CGROUP_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,100}");

  public LocalSandboxConfig {
    Objects.requireNonNull(runnerCommand, "runnerCommand");
    runnerArgs = List.copyOf(runnerArgs == null ? List.of() : runnerArgs);
    Objects.requireNonNull(stateDir, "stateDir");
    stateDir = stateDir.toAbsolutePath().normalize();
    if (!PREFIX.matcher(namePrefix).matches()) {
      throw new IllegalArgumentException("namePrefix must match " + PREFIX + ": " + namePrefix);
    }
    AddressPool.parse(addressPool); // validates
    Objects.requireNonNull(cgroupRoot, "cgroupRoot");
    if (!CGROUP_NAME.matcher(cgroupParent).matches()) {
      throw new IllegalArgumentException("cgroupParent must match " + CGROUP_NAME);
    }
    if (runnerUid <= 0 || runnerGid <= 0) {
      throw new IllegalArgumentException("runner uid/gid must be non-root");
    }
    if (workspaceSizeMb <= 0 || pidsMax <= 0) {
      throw new IllegalArgumentException("workspaceSizeMb and pidsMax must be positive");
    }
    hidePaths =
        List.copyOf(hidePaths == null ? List.of() : hidePaths).stream()
            .map(p -> p.toAbsolutePath().normalize())
            .toList();
    Objects.requireNonNull(commandTimeout, "commandTimeout");
    Objects.requireNonNull(sensorInterval, "sensorInterval");
    Objects.requireNonNull(cpuBurnWindow, "cpuBurnWindow");
    Objects.requireNonNull(survivorGrace, "survivorGrace");
    Objects.requireNonNull(dedupeWindow, "dedupeWindow");
  }

  /** The default state directory: {@code $RUNNERGUARD_HOME/sandbox} or /run/runnerguard/sandbox. */
  public static Path defaultStateDir() {
    String home = System.getenv("RUNNERGUARD_HOME");
    return home == null || home.isBlank()
        ? Path.of("/run/runnerguard/sandbox")
        : Path.of(home, "sandbox");
  }

  /** A builder with every default filled in. */
  public static Builder builder(Path runnerCommand) {
    return new Builder(runnerCommand);
  }

  /** A copy of this config as a builder. */
  public Builder toBuilder() {
    Builder b = new Builder(runnerCommand);
    b.runnerArgs = runnerArgs;
    b.stateDir = stateDir;
    b.namePrefix = namePrefix;
    b.addressPool = addressPool;
    b.cgroupRoot = cgroupRoot;
    b.cgroupParent = cgroupParent;
    b.runnerUid = runnerUid;
    b.runnerGid = runnerGid;
    b.uidPerRunner = uidPerRunner;
    b.workspaceSizeMb = workspaceSizeMb;
    b.pidsMax = pidsMax;
    b.defaultCpuMillis = defaultCpuMillis;
    b.defaultMemoryMb = defaultMemoryMb;
    b.hidePaths = hidePaths;
    b.allowSandboxLoopback = allowSandboxLoopback;
    b.enableIpForward = enableIpForward;
    b.commandTimeout = commandTimeout;
    b.sensorEnabled = sensorEnabled;
    b.sensorInterval = sensorInterval;
    b.cpuBurnShare = cpuBurnShare;
    b.cpuBurnWindow = cpuBurnWindow;
    b.survivorGrace = survivorGrace;
    b.dedupeWindow = dedupeWindow;
    return b;
  }

  /** Mutable builder; see the record's documentation for each field's meaning and default. */
  public static final class Builder {
    private Path runnerCommand;
    private List<String> runnerArgs = List.of();
    private Path stateDir = defaultStateDir();
    private String namePrefix = "rg";
    private String addressPool = "10.213.0.0/16";
    private Path cgroupRoot = Path.of("/sys/fs/cgroup");
    private String cgroupParent = "runnerguard-sandbox";
    private int runnerUid = 65534;
    private int runnerGid = 65534;
    private boolean uidPerRunner = false;
    private int workspaceSizeMb = 2048;
    private int pidsMax = 4096;
    private Integer defaultCpuMillis = null;
    private Integer defaultMemoryMb = null;
    private List<Path> hidePaths = List.of();
    private boolean allowSandboxLoopback = false;
    private boolean enableIpForward = true;
    private Duration commandTimeout = Duration.ofSeconds(10);
    private boolean sensorEnabled = true;
    private Duration sensorInterval = Duration.ofMillis(150);
    private double cpuBurnShare = 0.9;
    private Duration cpuBurnWindow = Duration.ofSeconds(10);
    private Duration survivorGrace = Duration.ofMillis(500);
    private Duration dedupeWindow = Duration.ofSeconds(60);

    private Builder(Path runnerCommand) {
      this.runnerCommand = runnerCommand;
    }

    public Builder runnerCommand(Path v) {
      runnerCommand = v;
      return this;
    }

    public Builder runnerArgs(List<String> v) {
      runnerArgs = v;
      return this;
    }

    public Builder stateDir(Path v) {
      stateDir = v;
      return this;
    }

    public Builder namePrefix(String v) {
      namePrefix = v;
      return this;
    }

    public Builder addressPool(String v) {
      addressPool = v;
      return this;
    }

    public Builder cgroupRoot(Path v) {
      cgroupRoot = v;
      return this;
    }

    public Builder cgroupParent(String v) {
      cgroupParent = v;
      return this;
    }

    public Builder runnerUid(int v) {
      runnerUid = v;
      return this;
    }

    public Builder runnerGid(int v) {
      runnerGid = v;
      return this;
    }

    public Builder uidPerRunner(boolean v) {
      uidPerRunner = v;
      return this;
    }

    public Builder workspaceSizeMb(int v) {
      workspaceSizeMb = v;
      return this;
    }

    public Builder pidsMax(int v) {
      pidsMax = v;
      return this;
    }

    public Builder defaultCpuMillis(Integer v) {
      defaultCpuMillis = v;
      return this;
    }

    public Builder defaultMemoryMb(Integer v) {
      defaultMemoryMb = v;
      return this;
    }

    public Builder hidePaths(List<Path> v) {
      hidePaths = v;
      return this;
    }

    public Builder allowSandboxLoopback(boolean v) {
      allowSandboxLoopback = v;
      return this;
    }

    public Builder enableIpForward(boolean v) {
      enableIpForward = v;
      return this;
    }

    public Builder commandTimeout(Duration v) {
      commandTimeout = v;
      return this;
    }

    public Builder sensorEnabled(boolean v) {
      sensorEnabled = v;
      return this;
    }

    public Builder sensorInterval(Duration v) {
      sensorInterval = v;
      return this;
    }

    public Builder cpuBurnShare(double v) {
      cpuBurnShare = v;
      return this;
    }

    public Builder cpuBurnWindow(Duration v) {
      cpuBurnWindow = v;
      return this;
    }

    public Builder survivorGrace(Duration v) {
      survivorGrace = v;
      return this;
    }

    public Builder dedupeWindow(Duration v) {
      dedupeWindow = v;
      return this;
    }

    public LocalSandboxConfig build() {
      return new LocalSandboxConfig(
          runnerCommand,
          runnerArgs,
          stateDir,
          namePrefix,
          addressPool,
          cgroupRoot,
          cgroupParent,
          runnerUid,
          runnerGid,
          uidPerRunner,
          workspaceSizeMb,
          pidsMax,
          defaultCpuMillis,
          defaultMemoryMb,
          hidePaths,
          allowSandboxLoopback,
          enableIpForward,
          commandTimeout,
          sensorEnabled,
          sensorInterval,
          cpuBurnShare,
          cpuBurnWindow,
          survivorGrace,
          dedupeWindow);
    }
  }
}
