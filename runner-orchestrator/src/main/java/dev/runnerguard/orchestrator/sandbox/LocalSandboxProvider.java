package dev.runnerguard.orchestrator.sandbox;

import dev.runnerguard.orchestrator.spi.ApplyResult;
import dev.runnerguard.orchestrator.spi.EvidenceManifest;
import dev.runnerguard.orchestrator.spi.ObservationListener;
import dev.runnerguard.orchestrator.spi.ProviderCapabilities;
import dev.runnerguard.orchestrator.spi.ProviderException;
import dev.runnerguard.orchestrator.spi.ProviderRunner;
import dev.runnerguard.orchestrator.spi.ProvisionRequest;
import dev.runnerguard.orchestrator.spi.RunnerProvider;
import dev.runnerguard.schemas.avro.Isolation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The {@code local-sandbox} provider: each runner in its own Linux namespaces (bubblewrap: pid,
 * mount, ipc, uts, cgroup; a named network namespace with a veth pair), default-deny egress by
 * nftables, a non-root uid, a size-limited tmpfs workspace, cgroup v1 limits and the freezer, and a
 * host sensor that observes it from outside. See {@code runner-orchestrator/docs/local-sandbox.md}.
 *
 * <p>All per-runner state lives on disk under {@link LocalSandboxConfig#stateDir()} and every host
 * resource is named from the runner id, so a fresh instance (another orchestrator on the same host)
 * adopts existing runners. Runners are started detached (setsid) and survive this process.
 */
public final class LocalSandboxProvider implements RunnerProvider {

  /** The provider name admission decisions use. */
  public static final String NAME = "local-sandbox";

  /** The environment variable carrying the JIT config to the runner. */
  public static final String JIT_ENV = "ACTIONS_RUNNER_INPUT_JITCONFIG";

  /** Where the runner's home (and working directory) is mounted inside the sandbox. */
  public static final String SANDBOX_HOME = "/home/runner";

  static final String EXIT_CODE = "exit-code";
  static final String EXIT_REPORTED = "exit-reported";
  static final String RUNNER_LOG = "runner.log";
  static final String LAUNCH = "launch.sh";
  static final String ISOLATED = "isolated";
  static final String WORKSPACE = "ws";

  private static final Logger LOG = Logger.getLogger(LocalSandboxProvider.class);
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final List<String> REQUIRED_TOOLS =
      List.of("bwrap", "ip", "nft", "nsenter", "setpriv", "setsid", "mount", "umount");
  private static final String RUNNER_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private final LocalSandboxConfig config;
  private final AddressPool pool;
  private final CgroupV1 cgroups;
  private final EgressPolicy.Resolver resolver;
  private final HostSensor sensor;
  private final Object provisionMonitor = new Object();

  /** Creates the provider and starts its host sensor (unless disabled). */
  public LocalSandboxProvider(LocalSandboxConfig config, ObservationListener listener) {
    this(config, listener, EgressPolicy.SYSTEM_RESOLVER);
  }

  LocalSandboxProvider(
      LocalSandboxConfig config, ObservationListener listener, EgressPolicy.Resolver resolver) {
    this.config = config;
    this.pool = AddressPool.parse(config.addressPool());
    this.cgroups = new CgroupV1(config.cgroupRoot(), config.cgroupParent());
    this.resolver = resolver;
    if (config.sensorEnabled() && listener != null) {
      this.sensor = new HostSensor(config, cgroups, listener);
      this.sensor.start();
    } else {
      this.sensor = null;
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ProviderCapabilities capabilities() {
    return new ProviderCapabilities(Isolation.SANDBOX, cgroups.hasFreezer(), true, sensor != null);
  }

  LocalSandboxConfig config() {
    return config;
  }

  SandboxNames names(String runnerId) {
    return SandboxNames.of(config.namePrefix(), runnerId);
  }

  // ---------------------------------------------------------------- provision

  @Override
  public ProviderRunner provision(ProvisionRequest request) throws ProviderException {
    String id = request.runnerId();
    if (!SandboxNames.validRunnerId(id)) {
      throw ProviderException.permanent(
          "local-sandbox provision: invalid runner id (want " + SandboxNames.RUNNER_ID + ")");
    }
    SandboxNames n = names(id);
    synchronized (provisionMonitor) {
      try (HostLock lock = hostLock()) {
        Path rdir = n.stateDir(config.stateDir());
        if (SandboxState.read(rdir).isPresent()) {
          return status(id); // idempotent: the existing runner
        }
        if (leftovers(n)) {
          LOG.infof("local-sandbox %s: removing leftovers of an interrupted provisioning", id);
          teardown(n, "provision (leftovers)");
        }
        return create(request, n, rdir);
      }
    }
  }

  private ProviderRunner create(ProvisionRequest req, SandboxNames n, Path rdir)
      throws ProviderException {
    String id = req.runnerId();
    Map<String, Path> tools = requireTools(id);
    List<String> runnerArgv = runnerArgv(id);
    for (String k : req.environment().keySet()) {
      if (!ENV_NAME.matcher(k).matches() || k.equals(JIT_ENV)) {
        throw ProviderException.permanent(
            "local-sandbox " + id + " provision: invalid environment variable name " + k);
      }
    }
    EgressPolicy policy;
    try {
      policy = EgressPolicy.parse(req.egressAllowlist(), resolver);
    } catch (IllegalArgumentException e) {
      throw ProviderException.permanent("local-sandbox " + id + " provision: " + e.getMessage());
    } catch (EgressPolicy.UnresolvableHostException e) {
      throw ProviderException.retriable("local-sandbox " + id + " provision: " + e.getMessage());
    }
    for (String r : policy.rejected()) {
      LOG.warnf("local-sandbox %s: egress allowlist entry %s", id, r);
    }
    int slot = pool.allocate(usedSlots());
    if (slot < 0) {
      throw ProviderException.retriable(
          "local-sandbox " + id + " provision: address pool " + pool + " exhausted");
    }
    int uid = config.uidPerRunner() ? config.runnerUid() + slot : config.runnerUid();
    int gid = config.uidPerRunner() ? config.runnerGid() + slot : config.runnerGid();
    String hostAddr = pool.hostAddress(slot);
    String runnerAddr = pool.runnerAddress(slot);
    Instant now = Instant.now();
    SandboxState state =
        new SandboxState(
            1,
            id,
            req.jobId(),
            req.runnerClass(),
            slot,
            hostAddr,
            runnerAddr,
            uid,
            gid,
            config.runnerCommand().toString(),
            now,
            now.plus(req.maxDuration()),
            req.egressAllowlist(),
            policy.rejected());
    String step = "state directory";
    try {
      Files.createDirectories(config.stateDir());
      Files.createDirectories(
          rdir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      step = "cgroups";
      Integer cpu = req.cpuMillis() != null ? req.cpuMillis() : config.defaultCpuMillis();
      Integer mem = req.memoryMb() != null ? req.memoryMb() : config.defaultMemoryMb();
      cgroups.create(n.cgroup(), cpu, mem, config.pidsMax());
      step = "network";
      createNetwork(n, tools, policy, hostAddr, runnerAddr);
      step = "workspace";
      createWorkspace(rdir, tools, uid, gid);
      step = "launch script";
      Path launch = rdir.resolve(LAUNCH);
      Files.writeString(launch, launchScript(n, rdir, tools, uid, gid, runnerArgv));
      Files.setPosixFilePermissions(launch, PosixFilePermissions.fromString("rwx------"));
      Files.createFile(rdir.resolve(RUNNER_LOG));
      Files.createFile(rdir.resolve(EXIT_CODE));
      state.write(rdir);
      step = "start";
      Process p = launch(req, rdir, tools);
      return awaitStart(req, n, rdir, p);
    } catch (Cmd.CmdException e) {
      teardownQuietly(n);
      throw new ProviderException(
          "local-sandbox " + id + " provision (" + step + "): " + e.getMessage(), !e.missingBinary);
    } catch (IOException | UncheckedIOException e) {
      teardownQuietly(n);
      throw new ProviderException(
          "local-sandbox " + id + " provision (" + step + "): " + e.getMessage(), true);
    } catch (ProviderException e) {
      teardownQuietly(n);
      throw e;
    }
  }

  private Map<String, Path> requireTools(String id) throws ProviderException {
    Map<String, Path> tools = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (String t : REQUIRED_TOOLS) {
      Path p = Cmd.which(t);
      if (p == null) {
        missing.add(t);
      } else {
        tools.put(t, p);
      }
    }
    if (!missing.isEmpty()) {
      throw ProviderException.permanent(
          "local-sandbox " + id + " provision: missing host tools " + missing);
    }
    for (String t : List.of("conntrack", "ss")) {
      Path p = Cmd.which(t);
      if (p != null) {
        tools.put(t, p);
      }
    }
    return tools;
  }

  /** The runner command's argv: itself when executable, else through its {@code #!} line. */
  private List<String> runnerArgv(String id) throws ProviderException {
    Path cmd = config.runnerCommand().toAbsolutePath().normalize();
    if (!Files.isRegularFile(cmd)) {
      throw ProviderException.permanent(
          "local-sandbox " + id + " provision: runner command " + cmd + " does not exist");
    }
    if (cmd.startsWith(config.stateDir())) {
      throw ProviderException.permanent(
          "local-sandbox " + id + " provision: runner command lies in the state directory");
    }
    List<String> argv = new ArrayList<>();
    if (Files.isExecutable(cmd)) {
      argv.add(cmd.toString());
    } else {
      String first;
      try (BufferedReader r = Files.newBufferedReader(cmd, StandardCharsets.ISO_8859_1)) {
        first = r.readLine();
      } catch (IOException e) {
        throw ProviderException.permanent(
            "local-sandbox " + id + " provision: runner command " + cmd + " is not readable");
      }
      if (first == null || !first.startsWith("#!")) {
        throw ProviderException.permanent(
            "local-sandbox "
                + id
                + " provision: runner command "
                + cmd
                + " is neither executable nor a #! script");
      }
      String[] parts = first.substring(2).trim().split("\\s+", 2);
      argv.add(parts[0]);
      if (parts.length > 1 && !parts[1].isBlank()) {
        argv.add(parts[1].trim());
      }
      argv.add(cmd.toString());
    }
    argv.addAll(config.runnerArgs());
    return argv;
  }

  private void createNetwork(
      SandboxNames n,
      Map<String, Path> tools,
      EgressPolicy policy,
      String hostAddr,
      String runnerAddr)
      throws Cmd.CmdException, IOException {
    String ip = tools.get("ip").toString();
    String ns = n.netns();
    String hv = n.hostVeth();
    Duration t = config.commandTimeout();
    Cmd.check(List.of(ip, "netns", "add", ns), null, t);
    Cmd.check(
        List.of(ip, "link", "add", hv, "type", "veth", "peer", "name", n.peerVeth()), null, t);
    Cmd.check(List.of(ip, "link", "set", n.peerVeth(), "netns", ns), null, t);
    Files.writeString(Path.of("/proc/sys/net/ipv4/conf", hv, "route_localnet"), "1");
    String hostBatch = "addr add " + hostAddr + "/30 dev " + hv + "\n" + "link set " + hv + " up\n";
    Cmd.check(List.of(ip, "-batch", "-"), hostBatch, t);
    String nsBatch =
        "link set "
            + n.peerVeth()
            + " name eth0\n"
            + "addr add "
            + runnerAddr
            + "/30 dev eth0\n"
            + "link set lo up\n"
            + "link set eth0 up\n"
            + "route add default via "
            + hostAddr
            + "\n";
    Cmd.check(List.of(ip, "-n", ns, "-batch", "-"), nsBatch, t);
    // no IPv6 at all in the namespace (a link-local address would reach the host over the veth)
    Path hostV6 = Path.of("/proc/sys/net/ipv6/conf", hv, "disable_ipv6");
    if (Files.exists(hostV6)) {
      Files.writeString(hostV6, "1");
    }
    // route_localnet on the runner's eth0 lets a rerouted 127/8-sourced packet leave (then SNATed)
    Cmd.check(
        List.of(
            tools.get("nsenter").toString(),
            "--net=" + netnsPath(n),
            "--",
            "/bin/sh",
            "-c",
            "set -e; echo 1 > /proc/sys/net/ipv4/conf/eth0/route_localnet; "
                + "for f in /proc/sys/net/ipv6/conf/*/disable_ipv6; do "
                + "if [ -e \"$f\" ]; then echo 1 > \"$f\"; fi; done"),
        null,
        t);
    Cmd.check(
        List.of(
            tools.get("nsenter").toString(),
            "--net=" + netnsPath(n),
            "--",
            tools.get("nft").toString(),
            "-f",
            "-"),
        policy.runnerRuleset(runnerAddr, hostAddr, config.allowSandboxLoopback()),
        t);
    Cmd.check(
        List.of(tools.get("nft").toString(), "-f", "-"),
        policy.hostTable(n.hostTable(), hv, hostAddr, runnerAddr),
        t);
    if (policy.needsForwarding() && config.enableIpForward()) {
      Path fwd = Path.of("/proc/sys/net/ipv4/ip_forward");
      if (!"1".equals(Files.readString(fwd).trim())) {
        LOG.info("local-sandbox: enabling net.ipv4.ip_forward for allowlisted non-loopback egress");
        Files.writeString(fwd, "1");
      }
    }
  }

  private void createWorkspace(Path rdir, Map<String, Path> tools, int uid, int gid)
      throws Cmd.CmdException, IOException {
    Path ws = rdir.resolve(WORKSPACE);
    Files.createDirectories(ws);
    Cmd.check(
        List.of(
            tools.get("mount").toString(),
            "-t",
            "tmpfs",
            "-o",
            "size=" + config.workspaceSizeMb() + "m,mode=0755,uid=0,gid=0,nosuid,nodev",
            "rg-workspace",
            ws.toString()),
        null,
        config.commandTimeout());
    Path work = ws.resolve("work");
    Path tmp = ws.resolve("tmp");
    Files.createDirectory(work);
    Files.createDirectory(tmp);
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx------"));
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.setAttribute(work, "unix:uid", uid);
    Files.setAttribute(work, "unix:gid", gid);
    // sticky bit on /tmp (Java cannot set it)
    Cmd.check(List.of("chmod", "1777", tmp.toString()), null, config.commandTimeout());
    Path cmdDir = config.runnerCommand().toAbsolutePath().normalize().getParent();
    if (cmdDir != null && isActionsRunner(cmdDir)) {
      Path root = ws.resolve(RUNNER_ROOT);
      Files.createDirectory(root);
      Files.setAttribute(root, "unix:uid", uid);
      Files.setAttribute(root, "unix:gid", gid);
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(cmdDir)) {
        for (Path e : ds) {
          String name = e.getFileName().toString();
          if (name.startsWith(".") || name.startsWith("_")) {
            continue; // never a host runner's credentials, diagnostics or work folder
          }
          if (Files.isRegularFile(e, LinkOption.NOFOLLOW_LINKS)) {
            Files.copy(e, root.resolve(name), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
          }
        }
      }
      for (String d : runnerLayoutDirs(cmdDir)) {
        Files.createDirectory(root.resolve(d)); // mount point
      }
    }
  }

  /** Where the writable actions/runner root lives in the workspace. */
  static final String RUNNER_ROOT = "runner";

  /** Whether the runner command's directory is an actions/runner installation. */
  static boolean isActionsRunner(Path dir) {
    return Files.exists(dir.resolve("bin").resolve("Runner.Listener"));
  }

  /** The actions/runner directories bound read-only (not hidden, not _diag or _work). */
  static List<String> runnerLayoutDirs(Path dir) {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path e : ds) {
        String name = e.getFileName().toString();
        if (!name.startsWith(".")
            && !name.startsWith("_")
            && Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)) {
          out.add(name);
        }
      }
    } catch (IOException e) {
      // none
    }
    out.sort(null);
    return out;
  }

  /** Host paths hidden by an empty tmpfs inside the sandbox (only the outermost of nested ones). */
  private List<Path> hiddenPaths() {
    List<Path> wanted = new ArrayList<>();
    wanted.add(Path.of("/run"));
    wanted.add(Path.of("/home"));
    wanted.add(Path.of("/var/run"));
    wanted.add(config.stateDir());
    wanted.addAll(config.hidePaths());
    List<Path> out = new ArrayList<>();
    for (Path p : wanted) {
      if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        continue; // a symlink (e.g. /var/run -> /run) or missing: nothing to mount over
      }
      boolean covered = false;
      for (Path q : wanted) {
        if (!q.equals(p) && p.startsWith(q) && Files.isDirectory(q, LinkOption.NOFOLLOW_LINKS)) {
          covered = true;
        }
      }
      if (!covered && !out.contains(p)) {
        out.add(p);
      }
    }
    return out;
  }

  private String launchScript(
      SandboxNames n,
      Path rdir,
      Map<String, Path> tools,
      int uid,
      int gid,
      List<String> runnerArgv) {
    Path ws = rdir.resolve(WORKSPACE);
    List<String> bwrap = new ArrayList<>();
    bwrap.add(tools.get("bwrap").toString());
    bwrap.addAll(List.of("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"));
    List<Path> hidden = hiddenPaths();
    for (Path h : hidden) {
      bwrap.addAll(List.of("--tmpfs", h.toString()));
    }
    bwrap.addAll(List.of("--bind", ws.resolve("work").toString(), SANDBOX_HOME));
    bwrap.addAll(List.of("--bind", ws.resolve("tmp").toString(), "/tmp"));
    // a runner command in a directory the sandbox replaces (e.g. /home/ci/actions-runner, /tmp/x)
    // is bound back read-only
    Path cmdDir = config.runnerCommand().toAbsolutePath().normalize().getParent();
    List<Path> replaced = new ArrayList<>(hidden);
    replaced.add(Path.of("/tmp"));
    boolean underReplaced = false;
    for (Path h : replaced) {
      if (cmdDir != null && cmdDir.startsWith(h) && !cmdDir.equals(h)) {
        // bubblewrap would create the missing parents 0700: create them 0755 first
        for (int i = h.getNameCount() + 1; i < cmdDir.getNameCount(); i++) {
          String parent = "/" + cmdDir.subpath(0, i);
          bwrap.addAll(List.of("--perms", "0755", "--dir", parent));
        }
        underReplaced = true;
        break;
      }
    }
    if (cmdDir != null && isActionsRunner(cmdDir)) {
      // actions/runner writes into its own directory: a writable copy of its top-level files in
      // the workspace, with its directories (bin, externals, ...) bound read-only into it
      bwrap.addAll(List.of("--bind", ws.resolve(RUNNER_ROOT).toString(), cmdDir.toString()));
      for (String d : runnerLayoutDirs(cmdDir)) {
        bwrap.addAll(
            List.of("--ro-bind", cmdDir.resolve(d).toString(), cmdDir.resolve(d).toString()));
      }
    } else if (underReplaced) {
      bwrap.addAll(List.of("--ro-bind", cmdDir.toString(), cmdDir.toString()));
    }
    bwrap.addAll(
        List.of(
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-cgroup-try",
            "--hostname",
            n.runnerId(),
            "--new-session",
            "--chdir",
            SANDBOX_HOME,
            "--",
            "/bin/sh",
            "-c",
            innerScript(tools, uid, gid),
            "rg-runner"));
    bwrap.addAll(runnerArgv);

    StringBuilder sb = new StringBuilder();
    sb.append("#!/bin/sh\n");
    sb.append("# RunnerGuard local-sandbox launcher for runner ").append(n.runnerId());
    sb.append(" (holds no secret: the JIT config comes through the environment)\n");
    sb.append("set -e\n");
    sb.append("for f in");
    for (Path p : cgroups.procsFiles(n.cgroup())) {
      sb.append(' ').append(quote(p.toString()));
    }
    sb.append("; do echo $$ > \"$f\"; done\n");
    sb.append("exec 3>").append(quote(rdir.resolve(EXIT_CODE).toString())).append('\n');
    sb.append("exec ").append(quote(tools.get("nsenter").toString()));
    sb.append(" --net=").append(quote(netnsPath(n).toString())).append(" --");
    for (String a : bwrap) {
      sb.append(' ').append(quote(a));
    }
    sb.append('\n');
    return sb.toString();
  }

  /**
   * Runs inside the sandbox as root (pid 2, under bubblewrap's reaper): drops to the runner uid
   * with no capabilities and no_new_privs, runs the runner command, writes its exit code to fd 3
   * (the host's exit-code file) and then stays, so the pid namespace survives the runner program
   * and the sensor can see processes left behind. The JIT config is removed from its own
   * environment before it waits.
   */
  private String innerScript(Map<String, Path> tools, int uid, int gid) {
    return quote(tools.get("setpriv").toString())
        + " --reuid="
        + uid
        + " --regid="
        + gid
        + " --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs -- \"$@\" 3>&-\n"
        + "rc=$?\n"
        + "echo \"$rc\" >&3\n"
        + "exec 3>&-\n"
        + "unset "
        + JIT_ENV
        + "\n"
        + "exec sleep 2147483647\n";
  }

  private Process launch(ProvisionRequest req, Path rdir, Map<String, Path> tools)
      throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(
            tools.get("setsid").toString(), "/bin/sh", rdir.resolve(LAUNCH).toString());
    Map<String, String> env = pb.environment();
    env.clear(); // nothing of the orchestrator's own environment reaches the runner
    env.put("PATH", RUNNER_PATH);
    env.put("HOME", SANDBOX_HOME);
    env.put("USER", "runner");
    env.put("LANG", "C.UTF-8");
    env.put("TMPDIR", "/tmp");
    env.put("RUNNERGUARD_RUNNER_ID", req.runnerId());
    env.put("RUNNERGUARD_JOB_ID", Long.toString(req.jobId()));
    env.putAll(req.environment());
    env.put(JIT_ENV, req.jitConfig().reveal());
    pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(rdir.resolve(RUNNER_LOG).toFile()));
    pb.redirectErrorStream(true);
    pb.directory(rdir.toFile());
    return pb.start();
  }

  private ProviderRunner awaitStart(ProvisionRequest req, SandboxNames n, Path rdir, Process p)
      throws ProviderException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline) {
      if (readExitCode(rdir) != null) {
        break; // the runner ran and already ended
      }
      boolean runnerUp = false;
      for (long pid : cgroups.pids(n.cgroup())) {
        ProcInfo pi = ProcInfo.read(pid);
        if (pi != null && pi.uid() != 0) {
          runnerUp = true;
        }
      }
      if (runnerUp) {
        break;
      }
      if (!p.isAlive() && readExitCode(rdir) == null) {
        String why = logTail(rdir, req.jitConfig().reveal());
        teardownQuietly(n);
        throw ProviderException.permanent(
            "local-sandbox "
                + req.runnerId()
                + " provision (start): the sandbox failed to start (exit "
                + p.exitValue()
                + "): "
                + why);
      }
      sleep(20);
    }
    LOG.infof(
        "local-sandbox %s: provisioned for job %d (class %s)",
        req.runnerId(), req.jobId(), req.runnerClass());
    return status(req.runnerId());
  }

  private static String logTail(Path rdir, String secret) {
    try {
      String s = Files.readString(rdir.resolve(RUNNER_LOG), StandardCharsets.UTF_8);
      s = s.replace(secret, "[redacted]").strip();
      return s.length() > 300 ? "..." + s.substring(s.length() - 300) : s;
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private List<Integer> usedSlots() {
    List<Integer> used = new ArrayList<>();
    for (Path d : runnerDirs()) {
      SandboxState.read(d).ifPresent(s -> used.add(s.slot()));
    }
    return used;
  }

  List<Path> runnerDirs() {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(config.stateDir())) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(config.stateDir())) {
      for (Path d : ds) {
        if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)
            && SandboxNames.validRunnerId(d.getFileName().toString())) {
          out.add(d);
        }
      }
    } catch (IOException e) {
      // empty
    }
    return out;
  }

  // ---------------------------------------------------------------- status and list

  @Override
  public ProviderRunner status(String runnerId) throws ProviderException {
    if (!SandboxNames.validRunnerId(runnerId)) {
      return ProviderRunner.notFound(runnerId);
    }
    SandboxNames n = names(runnerId);
    Path rdir = n.stateDir(config.stateDir());
    Optional<SandboxState> st = SandboxState.read(rdir);
    List<Long> pids = cgroups.pids(n.cgroup());
    Integer exit = readExitCode(rdir);
    if (st.isEmpty()) {
      if (Files.exists(netnsPath(n)) || cgroups.exists(n.cgroup())) {
        return new ProviderRunner(
            runnerId,
            pids.isEmpty() ? ProviderRunner.Status.EXITED : ProviderRunner.Status.RUNNING,
            null,
            exit,
            "orphan: sandbox resources without provider state");
      }
      return ProviderRunner.notFound(runnerId);
    }
    SandboxState s = st.get();
    List<String> details = new ArrayList<>();
    if (Files.exists(rdir.resolve(ISOLATED))) {
      details.add("network isolated");
    }
    if (!s.egressRejected().isEmpty()) {
      details.add("denied allowlist entries: " + String.join("; ", s.egressRejected()));
    }
    ProviderRunner.Status status;
    if ("FROZEN".equals(cgroups.freezerState(n.cgroup()))) {
      status = ProviderRunner.Status.FROZEN;
    } else if (exit != null) {
      status = ProviderRunner.Status.EXITED;
    } else if (pids.isEmpty()) {
      if (Duration.between(s.createdAt(), Instant.now()).compareTo(Duration.ofSeconds(10)) < 0) {
        status = ProviderRunner.Status.STARTING;
      } else {
        status = ProviderRunner.Status.EXITED;
        details.add("the sandbox ended without an exit code");
      }
    } else {
      boolean runnerUp = false;
      for (long pid : pids) {
        ProcInfo pi = ProcInfo.read(pid);
        if (pi != null && pi.uid() != 0) {
          runnerUp = true;
        }
      }
      status = runnerUp ? ProviderRunner.Status.RUNNING : ProviderRunner.Status.STARTING;
    }
    return new ProviderRunner(
        runnerId,
        status,
        s.createdAt(),
        exit,
        details.isEmpty() ? null : String.join("; ", details));
  }

  @Override
  public List<ProviderRunner> list() throws ProviderException {
    Set<String> ids = new LinkedHashSet<>();
    for (Path d : runnerDirs()) {
      ids.add(d.getFileName().toString());
    }
    String nsPrefix = SandboxNames.netnsPrefix(config.namePrefix());
    Path netnsDir = Path.of("/run/netns");
    if (Files.isDirectory(netnsDir)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(netnsDir, nsPrefix + "*")) {
        for (Path p : ds) {
          String id = p.getFileName().toString().substring(nsPrefix.length());
          if (SandboxNames.validRunnerId(id)) {
            ids.add(id);
          }
        }
      } catch (IOException e) {
        // none
      }
    }
    for (String id : cgroups.names()) {
      if (SandboxNames.validRunnerId(id)) {
        ids.add(id);
      }
    }
    List<ProviderRunner> out = new ArrayList<>();
    for (String id : ids) {
      ProviderRunner r = status(id);
      if (r.status() != ProviderRunner.Status.NOT_FOUND) {
        out.add(r);
      }
    }
    return out;
  }

  static Integer readExitCode(Path rdir) {
    try {
      String s = Files.readString(rdir.resolve(EXIT_CODE)).trim();
      return s.isEmpty() ? null : Integer.valueOf(s);
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  static Path netnsPath(SandboxNames n) {
    return Path.of("/run/netns", n.netns());
  }

  // ---------------------------------------------------------------- isolate and freeze

  @Override
  public ApplyResult isolateNetwork(String runnerId) throws ProviderException {
    if (!SandboxNames.validRunnerId(runnerId)) {
      return ApplyResult.NOOP;
    }
    SandboxNames n = names(runnerId);
    Path rdir = n.stateDir(config.stateDir());
    if (Files.exists(rdir.resolve(ISOLATED))) {
      return ApplyResult.NOOP;
    }
    Path ns = netnsPath(n);
    if (!Files.exists(ns)) {
      return ApplyResult.NOOP; // no network namespace: nothing can talk
    }
    Duration t = config.commandTimeout();
    Path nsenter = Cmd.which("nsenter");
    Path nft = Cmd.which("nft");
    Path ip = Cmd.which("ip");
    if (nsenter == null || nft == null || ip == null) {
      throw ProviderException.permanent(
          "local-sandbox " + runnerId + " isolate-network: nsenter, nft or ip missing");
    }
    long t0 = System.nanoTime();
    try {
      // 1. drop everything in and out of the runner namespace, before any other hook
      Cmd.check(
          List.of(nsenter.toString(), "--net=" + ns, "--", nft.toString(), "-f", "-"),
          EgressPolicy.quarantineRuleset(),
          t);
    } catch (Cmd.CmdException e) {
      if (!Files.exists(ns)) {
        return ApplyResult.NOOP; // destroyed meanwhile
      }
      throw new ProviderException(
          "local-sandbox " + runnerId + " isolate-network (nft): " + e.getMessage(),
          !e.missingBinary);
    }
    // 2. take the host end down, 3. kill the sockets and flush the conntrack state both sides
    quiet(List.of(ip.toString(), "link", "set", n.hostVeth(), "down"));
    Path ss = Cmd.which("ss");
    Path conntrack = Cmd.which("conntrack");
    Optional<SandboxState> st = SandboxState.read(rdir);
    if (ss != null) {
      quiet(List.of(nsenter.toString(), "--net=" + ns, "--", ss.toString(), "-K", "-tuna"));
      st.ifPresent(s -> quiet(List.of(ss.toString(), "-K", "-tuna", "dst", s.runnerAddress())));
    }
    if (conntrack != null) {
      quiet(List.of(nsenter.toString(), "--net=" + ns, "--", conntrack.toString(), "-F"));
      st.ifPresent(s -> quiet(List.of(conntrack.toString(), "-D", "-s", s.runnerAddress())));
    }
    try {
      if (Files.isDirectory(rdir)) {
        Files.writeString(rdir.resolve(ISOLATED), Instant.now().toString() + "\n");
      }
    } catch (IOException e) {
      LOG.warnf("local-sandbox %s: could not record the isolation: %s", runnerId, e.getMessage());
    }
    LOG.infof(
        "local-sandbox %s: network isolated in %d ms",
        runnerId, (System.nanoTime() - t0) / 1_000_000);
    return ApplyResult.APPLIED;
  }

  private void quiet(List<String> argv) {
    try {
      Cmd.run(argv, null, config.commandTimeout());
    } catch (Cmd.CmdException e) {
      LOG.debugf("local-sandbox: %s", e.getMessage());
    }
  }

  @Override
  public ApplyResult freeze(String runnerId) throws ProviderException {
    if (!SandboxNames.validRunnerId(runnerId)) {
      return ApplyResult.NOOP;
    }
    SandboxNames n = names(runnerId);
    String state = cgroups.freezerState(n.cgroup());
    if (state == null) {
      if (cgroups.exists(n.cgroup()) && !cgroups.hasFreezer()) {
        throw ProviderException.permanent(
            "local-sandbox " + runnerId + " freeze: no cgroup v1 freezer on this host");
      }
      return ApplyResult.NOOP;
    }
    if ("FROZEN".equals(state)) {
      return ApplyResult.NOOP;
    }
    try {
      cgroups.setFreezer(n.cgroup(), "FROZEN");
    } catch (IOException e) {
      throw ProviderException.retriable("local-sandbox " + runnerId + " freeze: " + e.getMessage());
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!"FROZEN".equals(cgroups.freezerState(n.cgroup()))) {
      if (System.nanoTime() > deadline) {
        throw ProviderException.retriable(
            "local-sandbox "
                + runnerId
                + " freeze: cgroup still "
                + cgroups.freezerState(n.cgroup()));
      }
      sleep(5);
    }
    return ApplyResult.APPLIED;
  }

  // ---------------------------------------------------------------- evidence

  @Override
  public EvidenceManifest captureEvidence(String runnerId, Path directory)
      throws ProviderException {
    if (!SandboxNames.validRunnerId(runnerId)) {
      throw ProviderException.permanent("local-sandbox capture-evidence: invalid runner id");
    }
    SandboxNames n = names(runnerId);
    Path rdir = n.stateDir(config.stateDir());
    if (!Files.isDirectory(rdir) && !cgroups.exists(n.cgroup()) && !Files.exists(netnsPath(n))) {
      throw ProviderException.permanent(
          "local-sandbox " + runnerId + " capture-evidence: no such runner");
    }
    List<EvidenceManifest.Item> items = new ArrayList<>();
    String step = "processes";
    try {
      Files.createDirectories(directory);
      items.add(write(directory, "processes.txt", "processes", processListing(n)));
      step = "connections";
      items.add(write(directory, "connections.txt", "connections", connections(n)));
      step = "egress";
      items.add(write(directory, "egress-denied.json", "connections", deniedSets(n)));
      step = "workspace";
      items.add(write(directory, "workspace.txt", "workspace", workspaceListing(rdir)));
      step = "logs";
      Path log = rdir.resolve(RUNNER_LOG);
      Path target = directory.resolve("runner.log");
      if (Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS)) {
        Files.copy(log, target);
      } else {
        Files.writeString(target, "");
      }
      items.add(item(directory, "runner.log", "logs"));
      Path state = rdir.resolve(SandboxState.FILE);
      if (Files.isRegularFile(state)) {
        Files.copy(state, directory.resolve("sandbox-state.json"));
        items.add(item(directory, "sandbox-state.json", "logs"));
      }
    } catch (IOException | Cmd.CmdException e) {
      throw ProviderException.retriable(
          "local-sandbox " + runnerId + " capture-evidence (" + step + "): " + e.getMessage());
    }
    return new EvidenceManifest(directory, items);
  }

  private String processListing(SandboxNames n) {
    StringBuilder sb = new StringBuilder();
    sb.append("# cgroup ").append(config.cgroupParent()).append('/').append(n.cgroup());
    sb.append(" freezer=").append(cgroups.freezerState(n.cgroup())).append('\n');
    sb.append("PID\tPPID\tUID\tSTATE\tCMDLINE\n");
    for (long pid : cgroups.pids(n.cgroup())) {
      ProcInfo p = ProcInfo.read(pid);
      if (p != null) {
        sb.append(p.pid()).append('\t').append(p.ppid()).append('\t').append(p.uid());
        sb.append('\t').append(p.state()).append('\t').append(p.commandLine()).append('\n');
      }
    }
    return sb.toString();
  }

  private String connections(SandboxNames n) throws Cmd.CmdException {
    Path ns = netnsPath(n);
    Path ss = Cmd.which("ss");
    Path nsenter = Cmd.which("nsenter");
    if (!Files.exists(ns) || ss == null || nsenter == null) {
      return "# no network namespace or no ss\n";
    }
    Cmd.Result r =
        Cmd.run(
            List.of(nsenter.toString(), "--net=" + ns, "--", ss.toString(), "-tanup"),
            null,
            config.commandTimeout());
    return "# ss -tanup in " + n.netns() + "\n" + r.out();
  }

  private String deniedSets(SandboxNames n) throws Cmd.CmdException {
    Path ns = netnsPath(n);
    Path nft = Cmd.which("nft");
    Path nsenter = Cmd.which("nsenter");
    if (!Files.exists(ns) || nft == null || nsenter == null) {
      return "{}\n";
    }
    Cmd.Result r =
        Cmd.run(
            List.of(
                nsenter.toString(),
                "--net=" + ns,
                "--",
                nft.toString(),
                "-j",
                "list",
                "sets",
                "table",
                "ip",
                EgressPolicy.RUNNER_TABLE),
            null,
            config.commandTimeout());
    return r.out().isBlank() ? "{}\n" : r.out();
  }

  /**
   * Lists the workspace tmpfs from the host without following links (a runner cannot make the host
   * read outside its workspace); regular files get a SHA-256. Paths are shown as the runner sees
   * them.
   */
  private String workspaceListing(Path rdir) throws IOException {
    Path ws = rdir.resolve(WORKSPACE);
    StringBuilder sb = new StringBuilder();
    sb.append("TYPE\tMODE\tUID\tGID\tBYTES\tSHA256\tPATH\n");
    if (!Files.isDirectory(ws, LinkOption.NOFOLLOW_LINKS)) {
      return sb.toString();
    }
    Files.walkFileTree(
        ws,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (!dir.equals(ws)) {
              line(dir, "d", null);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            String type = attrs.isRegularFile() ? "f" : attrs.isSymbolicLink() ? "l" : "o";
            String sha = null;
            if (attrs.isRegularFile()) {
              sha = sha256(file);
            }
            line(file, type, sha);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException exc) {
            sb.append("?\t-\t-\t-\t-\t-\t").append(shown(file)).append('\n');
            return FileVisitResult.CONTINUE;
          }

          private void line(Path p, String type, String sha) {
            try {
              PosixFileAttributes a =
                  Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
              sb.append(type).append('\t');
              sb.append(PosixFilePermissions.toString(a.permissions())).append('\t');
              sb.append(Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).append('\t');
              sb.append(Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)).append('\t');
              sb.append(a.size()).append('\t');
              sb.append(sha == null ? "-" : sha).append('\t');
              sb.append(shown(p));
              if (a.isSymbolicLink()) {
                sb.append(" -> ").append(Files.readSymbolicLink(p));
              }
              sb.append('\n');
            } catch (IOException e) {
              sb.append(type).append("\t?\t?\t?\t?\t-\t").append(shown(p)).append('\n');
            }
          }

          private String shown(Path p) {
            Path rel = ws.relativize(p);
            if (rel.startsWith("work")) {
              return SANDBOX_HOME
                  + (rel.getNameCount() > 1 ? "/" + rel.subpath(1, rel.getNameCount()) : "");
            }
            if (rel.startsWith(RUNNER_ROOT)) {
              Path cmdDir = config.runnerCommand().toAbsolutePath().normalize().getParent();
              return cmdDir
                  + (rel.getNameCount() > 1 ? "/" + rel.subpath(1, rel.getNameCount()) : "");
            }
            if (rel.startsWith("tmp")) {
              return "/tmp"
                  + (rel.getNameCount() > 1 ? "/" + rel.subpath(1, rel.getNameCount()) : "");
            }
            return "/" + rel;
          }
        });
    return sb.toString();
  }

  /** SHA-256 of a regular file, opened without following a symlink; null when unreadable. */
  static String sha256(Path file) {
    try (InputStream in =
        Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[65536];
      int r;
      while ((r = in.read(buf)) > 0) {
        md.update(buf, 0, r);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      return null;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static EvidenceManifest.Item write(Path dir, String name, String kind, String content)
      throws IOException {
    Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    return item(dir, name, kind);
  }

  private static EvidenceManifest.Item item(Path dir, String name, String kind) throws IOException {
    Path f = dir.resolve(name);
    String sha = sha256(f);
    if (sha == null) {
      throw new IOException("cannot hash " + f);
    }
    return new EvidenceManifest.Item(name, kind, sha, Files.size(f));
  }

  // ---------------------------------------------------------------- destroy

  @Override
  public ApplyResult destroy(String runnerId) throws ProviderException {
    if (!SandboxNames.validRunnerId(runnerId)) {
      return ApplyResult.NOOP;
    }
    SandboxNames n = names(runnerId);
    synchronized (provisionMonitor) {
      try (HostLock lock = hostLock()) {
        if (!leftovers(n)) {
          return ApplyResult.NOOP;
        }
        teardown(n, "destroy");
        LOG.infof("local-sandbox %s: destroyed", runnerId);
        return ApplyResult.APPLIED;
      }
    }
  }

  /** Whether any resource of the runner exists. */
  private boolean leftovers(SandboxNames n) {
    return Files.exists(n.stateDir(config.stateDir()), LinkOption.NOFOLLOW_LINKS)
        || Files.exists(netnsPath(n))
        || cgroups.exists(n.cgroup())
        || Files.exists(Path.of("/sys/class/net", n.hostVeth()));
  }

  private void teardownQuietly(SandboxNames n) {
    try {
      teardown(n, "cleanup");
    } catch (ProviderException e) {
      LOG.warnf(
          "local-sandbox %s: cleanup after a failed provisioning: %s",
          n.runnerId(), e.getMessage());
    }
  }

  /** Removes everything of a runner: processes, cgroups, network, workspace, state. */
  private void teardown(SandboxNames n, String step) throws ProviderException {
    String id = n.runnerId();
    Duration t = config.commandTimeout();
    // processes: freeze (no new forks), SIGKILL all, thaw so the kills land, until empty
    if (cgroups.exists(n.cgroup())) {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (true) {
        List<Long> pids = cgroups.pids(n.cgroup());
        if (pids.isEmpty()) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw ProviderException.retriable(
              "local-sandbox " + id + " " + step + ": processes still alive: " + pids);
        }
        try {
          if (cgroups.freezerState(n.cgroup()) != null) {
            cgroups.setFreezer(n.cgroup(), "FROZEN");
          }
          for (long pid : cgroups.pids(n.cgroup())) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
          }
          if (cgroups.freezerState(n.cgroup()) != null) {
            cgroups.setFreezer(n.cgroup(), "THAWED");
          }
        } catch (IOException | RuntimeException e) {
          LOG.debugf("local-sandbox %s: kill round: %s", id, e.getMessage());
        }
        sleep(20);
      }
      long deadline2 = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (!cgroups.remove(n.cgroup())) {
        if (System.nanoTime() > deadline2) {
          throw ProviderException.retriable(
              "local-sandbox " + id + " " + step + ": cgroups could not be removed");
        }
        sleep(20);
      }
    }
    try {
      Path nft = Cmd.which("nft");
      Path ip = Cmd.which("ip");
      if (nft != null) {
        Cmd.run(List.of(nft.toString(), "delete", "table", "ip", n.hostTable()), null, t);
      }
      if (ip != null && Files.exists(netnsPath(n))) {
        Cmd.check(List.of(ip.toString(), "netns", "delete", n.netns()), null, t);
      }
      if (ip != null && Files.exists(Path.of("/sys/class/net", n.hostVeth()))) {
        Cmd.run(List.of(ip.toString(), "link", "delete", n.hostVeth()), null, t);
      }
      if (ip != null && Files.exists(Path.of("/sys/class/net", n.peerVeth()))) {
        Cmd.run(List.of(ip.toString(), "link", "delete", n.peerVeth()), null, t);
      }
      Path rdir = n.stateDir(config.stateDir());
      Path ws = rdir.resolve(WORKSPACE);
      if (Files.isDirectory(ws, LinkOption.NOFOLLOW_LINKS) && isMountPoint(ws)) {
        Cmd.Result r = Cmd.run(List.of("umount", ws.toString()), null, t);
        if (!r.ok()) {
          Cmd.check(List.of("umount", "-l", ws.toString()), null, t);
        }
      }
      if (Files.exists(rdir, LinkOption.NOFOLLOW_LINKS)) {
        deleteTree(rdir);
      }
    } catch (Cmd.CmdException | IOException e) {
      throw ProviderException.retriable("local-sandbox " + id + " " + step + ": " + e.getMessage());
    }
  }

  static boolean isMountPoint(Path p) {
    try {
      String target = p.toRealPath().toString();
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] f = line.split(" ");
        if (f.length > 4 && unescape(f[4]).equals(target)) {
          return true;
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  private static String unescape(String s) {
    return s.replace("\\040", " ")
        .replace("\\011", "\t")
        .replace("\\012", "\n")
        .replace("\\134", "\\");
  }

  private static void deleteTree(Path root) throws IOException {
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
            if (exc instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw exc;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
            Files.deleteIfExists(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  // ---------------------------------------------------------------- misc

  /** A host-wide lock (across orchestrator instances) for provisioning and destroying. */
  private HostLock hostLock() throws ProviderException {
    try {
      Files.createDirectories(config.stateDir());
      Files.setPosixFilePermissions(
          config.stateDir(), PosixFilePermissions.fromString("rwx------"));
      FileChannel ch =
          FileChannel.open(
              config.stateDir().resolve(".lock"),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE);
      FileLock l = ch.lock();
      return new HostLock(ch, l);
    } catch (IOException e) {
      throw ProviderException.retriable(
          "local-sandbox: cannot lock the state directory "
              + config.stateDir()
              + ": "
              + e.getMessage());
    }
  }

  private record HostLock(FileChannel channel, FileLock lock) implements AutoCloseable {
    @Override
    public void close() {
      try {
        lock.release();
        channel.close();
      } catch (IOException e) {
        // released with the channel
      }
    }
  }

  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (sensor != null) {
      sensor.close();
    }
  }
}
