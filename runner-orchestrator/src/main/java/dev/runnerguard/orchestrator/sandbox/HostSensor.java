package dev.runnerguard.orchestrator.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runnerguard.orchestrator.spi.Observation;
import dev.runnerguard.orchestrator.spi.ObservationListener;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Observes every runner of the state directory from the host, never from inside the sandbox, and
 * never reads a process environment (the JIT config lives there). Two polling loops, each every
 * {@link LocalSandboxConfig#sensorInterval()}:
 *
 * <ul>
 *   <li>processes: the runner's freezer cgroup ({@code cgroup.procs}) and {@code /proc/<pid>} of
 *       each non-root member: nested runner agents, processes alive after the runner program exited
 *       (its exit code is written by the sandbox's root helper to a host file), sustained CPU use
 *       from {@code cpuacct.usage};
 *   <li>egress: the {@code denied}/{@code denied_other} sets of the runner namespace's nftables
 *       table, where the deny rule records each refused destination with a packet counter.
 * </ul>
 *
 * One act gives one observation: per pid for processes, per destination (and per runner for CPU)
 * within {@link LocalSandboxConfig#dedupeWindow()}.
 */
final class HostSensor implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(HostSensor.class);

  private final LocalSandboxConfig config;
  private final CgroupV1 cgroups;
  private final ObservationListener listener;
  private final Map<String, Watch> watches = new ConcurrentHashMap<>();
  private final ScheduledExecutorService exec;
  private volatile FileLock lease;
  private FileChannel leaseChannel;
  private long lastLeaseAttempt;

  HostSensor(LocalSandboxConfig config, CgroupV1 cgroups, ObservationListener listener) {
    this.config = config;
    this.cgroups = cgroups;
    this.listener = listener;
    this.exec =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "local-sandbox-sensor");
              t.setDaemon(true);
              return t;
            });
  }

  void start() {
    long ms = Math.max(10, config.sensorInterval().toMillis());
    exec.scheduleWithFixedDelay(() -> guarded(this::pollProcesses), 0, ms, TimeUnit.MILLISECONDS);
    exec.scheduleWithFixedDelay(() -> guarded(this::pollEgress), 0, ms, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    exec.shutdownNow();
    try {
      exec.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      if (leaseChannel != null) {
        leaseChannel.close(); // releases the lease for another instance
      }
    } catch (IOException e) {
      // closed
    }
  }

  private static void guarded(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warnf("local-sandbox sensor: %s", e.toString());
    }
  }

  /** What the sensor remembers of one runner. */
  private static final class Watch {
    final SandboxNames names;
    final Path dir;
    final String runnerCommand;
    final Set<Long> nestedReported = new HashSet<>();
    final Set<Long> survivorReported = new HashSet<>();
    final Deque<long[]> cpu = new ArrayDeque<>(); // {nanoTime, usageNanos}
    long lastCpuBurn = Long.MIN_VALUE;
    long exitSeenAt = Long.MIN_VALUE;
    boolean exitHandled;
    final Map<String, long[]> egress = new HashMap<>(); // key -> {packets, lastEmitNanos}

    final Object dirKey;

    Watch(SandboxNames names, Path dir, String runnerCommand, Object dirKey) {
      this.dirKey = dirKey;
      this.names = names;
      this.dir = dir;
      this.runnerCommand = runnerCommand;
    }
  }

  /** Identity of a runner's state directory (device and inode), to tell incarnations apart. */
  private static Object dirKey(Path d) {
    try {
      return Files.readAttributes(
              d, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
          .fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  private List<Watch> refresh() {
    Set<String> present = new HashSet<>();
    Path root = config.stateDir();
    if (Files.isDirectory(root)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
        for (Path d : ds) {
          String id = d.getFileName().toString();
          if (!SandboxNames.validRunnerId(id)
              || !Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)
              || !Files.exists(d.resolve(SandboxState.FILE))) {
            continue;
          }
          present.add(id);
          Object key = dirKey(d);
          Watch existing = watches.get(id);
          if (existing != null && !java.util.Objects.equals(existing.dirKey, key)) {
            watches.remove(id); // the runner id was destroyed and provisioned again
          }
          watches.computeIfAbsent(
              id,
              k -> {
                String cmd =
                    SandboxState.read(d)
                        .map(SandboxState::runnerCommand)
                        .orElse(config.runnerCommand().toString());
                return new Watch(SandboxNames.of(config.namePrefix(), k), d, cmd, key);
              });
        }
      } catch (IOException e) {
        // state dir vanished
      }
    }
    watches.keySet().retainAll(present);
    return new ArrayList<>(watches.values());
  }

  // ------------------------------------------------------------------ processes

  /**
   * One active sensor per host and state directory: the holder of an exclusive lock on {@code
   * .sensor.lock} polls; the others wait and take over when it dies (the kernel drops the lock).
   */
  private boolean leader() {
    if (lease != null && lease.isValid()) {
      return true;
    }
    long now = System.nanoTime();
    if (now - lastLeaseAttempt < 1_000_000_000L && lastLeaseAttempt != 0) {
      return false;
    }
    lastLeaseAttempt = now;
    try {
      Files.createDirectories(config.stateDir());
      if (leaseChannel == null) {
        leaseChannel =
            FileChannel.open(
                config.stateDir().resolve(".sensor.lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
      }
      lease = leaseChannel.tryLock();
    } catch (IOException | OverlappingFileLockException e) {
      lease = null;
    }
    if (lease != null) {
      LOG.infof("local-sandbox sensor: active for %s", config.stateDir());
    }
    return lease != null;
  }

  private void pollProcesses() {
    if (!leader()) {
      return;
    }
    for (Watch w : refresh()) {
      synchronized (w) {
        checkProcesses(w);
      }
    }
  }

  private void checkProcesses(Watch w) {
    String id = w.names.runnerId();
    String cg = w.names.cgroup();
    long now = System.nanoTime();
    List<ProcInfo> procs = new ArrayList<>();
    for (long pid : cgroups.pids(cg)) {
      ProcInfo p = ProcInfo.read(pid);
      if (p != null && p.uid() != 0 && !"Z".equals(p.state())) {
        procs.add(p); // root members are the sandbox's own helpers (bwrap, the waiting shell)
      }
    }
    for (ProcInfo p : procs) {
      if (isNestedRunner(p.argv(), w.runnerCommand) && w.nestedReported.add(p.pid())) {
        emit(
            new Observation(
                id,
                Observation.NESTED_RUNNER,
                Instant.now(),
                p.pid(),
                p.commandLine(),
                null,
                null,
                null,
                Map.of("uid", Integer.toString(p.uid()))));
      }
    }
    Integer exit = LocalSandboxProvider.readExitCode(w.dir);
    if (exit != null) {
      if (!w.exitHandled) {
        w.exitHandled = true;
        w.exitSeenAt = now;
        Path marker = w.dir.resolve(LocalSandboxProvider.EXIT_REPORTED);
        if (!Files.exists(marker)) {
          emit(
              new Observation(
                  id,
                  Observation.RUNNER_EXITED,
                  Instant.now(),
                  null,
                  null,
                  null,
                  null,
                  null,
                  Map.of("exitCode", Integer.toString(exit))));
          try {
            Files.writeString(marker, Instant.now() + "\n");
          } catch (IOException e) {
            // reported again by the next instance: at least once
          }
        }
      }
      if (now - w.exitSeenAt >= config.survivorGrace().toNanos()) {
        for (ProcInfo p : procs) {
          if (w.survivorReported.add(p.pid())) {
            emit(
                new Observation(
                    id,
                    Observation.PROCESS_SURVIVED,
                    Instant.now(),
                    p.pid(),
                    p.commandLine(),
                    null,
                    null,
                    null,
                    Map.of(
                        "uid",
                        Integer.toString(p.uid()),
                        "runnerExitCode",
                        Integer.toString(exit))));
          }
        }
      }
    }
    checkCpu(w, procs, now);
  }

  private void checkCpu(Watch w, List<ProcInfo> procs, long now) {
    String cg = w.names.cgroup();
    if ("FROZEN".equals(cgroups.freezerState(cg))) {
      w.cpu.clear();
      return;
    }
    long usage = cgroups.cpuUsageNanos(cg);
    if (usage < 0) {
      return;
    }
    long window = config.cpuBurnWindow().toNanos();
    w.cpu.addLast(new long[] {now, usage});
    while (w.cpu.size() > 2 && now - w.cpu.peekFirst()[0] > window) {
      long[] second = (long[]) w.cpu.toArray()[1];
      if (now - second[0] >= window) {
        w.cpu.removeFirst();
      } else {
        break;
      }
    }
    long[] first = w.cpu.peekFirst();
    long span = now - first[0];
    if (span < window || span <= 0) {
      return;
    }
    double share = (double) (usage - first[1]) / span;
    boolean dedupe =
        w.lastCpuBurn != Long.MIN_VALUE && now - w.lastCpuBurn < config.dedupeWindow().toNanos();
    if (share >= config.cpuBurnShare() && !dedupe) {
      w.lastCpuBurn = now;
      ProcInfo top = null;
      long topTicks = -1;
      for (ProcInfo p : procs) {
        long ticks = cpuTicks(p.pid());
        if (ticks > topTicks) {
          topTicks = ticks;
          top = p;
        }
      }
      emit(
          new Observation(
              w.names.runnerId(),
              Observation.CPU_BURN,
              Instant.now(),
              top == null ? null : top.pid(),
              top == null ? null : top.commandLine(),
              null,
              null,
              null,
              Map.of(
                  "cpuPercent",
                  String.format(Locale.ROOT, "%.1f", share * 100),
                  "windowSeconds",
                  String.format(Locale.ROOT, "%.1f", span / 1e9))));
    }
  }

  private static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * A nested runner agent: {@code Runner.Listener}, {@code config.sh ... --url}, or a {@code
   * run.sh} that is not the configured runner command (nor part of the configured actions/runner
   * installation, whose own Runner.Listener is legitimate).
   */
  static boolean isNestedRunner(List<String> argv, String runnerCommand) {
    if (argv.isEmpty()) {
      return false;
    }
    Path cmd = Path.of(runnerCommand);
    Path runnerDir = cmd.getParent();
    boolean realRunner = cmd.getFileName() != null && cmd.getFileName().toString().equals("run.sh");
    boolean hasUrl = false;
    boolean nested = false;
    for (String a : argv) {
      if (a.equals(runnerCommand)) {
        return false; // the configured runner itself
      }
      if (realRunner && runnerDir != null && a.startsWith(runnerDir + "/")) {
        return false; // the configured actions/runner's own processes
      }
      if (a.equals("--url") || a.startsWith("--url=")) {
        hasUrl = true;
      }
    }
    for (String a : argv) {
      String base = a.substring(a.lastIndexOf('/') + 1);
      if (a.contains("Runner.Listener")) {
        nested = true;
      } else if (base.equals("run.sh")) {
        nested = true;
      } else if (base.equals("config.sh") && hasUrl) {
        nested = true;
      }
    }
    return nested;
  }

  // ------------------------------------------------------------------ egress

  private void pollEgress() {
    if (lease == null || !lease.isValid()) {
      return;
    }
    Path nsenter = Cmd.which("nsenter");
    Path nft = Cmd.which("nft");
    if (nsenter == null || nft == null) {
      return;
    }
    for (Watch w : refresh()) {
      Path ns = LocalSandboxProvider.netnsPath(w.names);
      if (!Files.exists(ns)) {
        continue;
      }
      Cmd.Result r;
      try {
        r =
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
      } catch (Cmd.CmdException e) {
        continue;
      }
      if (!r.ok() || r.out().isBlank()) {
        continue;
      }
      List<Denied> denied;
      try {
        denied = parseDenied(SandboxState.json().readTree(r.out()));
      } catch (IOException e) {
        continue;
      }
      synchronized (w) {
        long now = System.nanoTime();
        for (Denied d : denied) {
          String key = d.address + "/" + d.protocol + "/" + (d.port == null ? "-" : d.port);
          long[] seen = w.egress.get(key);
          if (seen != null && d.packets <= seen[0]) {
            continue; // no new attempt
          }
          boolean emit = seen == null || now - seen[1] >= config.dedupeWindow().toNanos();
          w.egress.put(key, new long[] {d.packets, emit ? now : seen[1]});
          if (emit) {
            emit(
                new Observation(
                    w.names.runnerId(),
                    Observation.EGRESS_DENIED,
                    Instant.now(),
                    null,
                    null,
                    d.address,
                    d.port,
                    d.protocol,
                    Map.of("packets", Long.toString(d.packets))));
          }
        }
      }
    }
  }

  /** One element of a denied set. */
  record Denied(String address, String protocol, Integer port, long packets) {}

  /** Parses {@code nft -j list sets} output of the runner table. */
  static List<Denied> parseDenied(JsonNode root) {
    List<Denied> out = new ArrayList<>();
    for (JsonNode item : root.path("nftables")) {
      JsonNode set = item.get("set");
      if (set == null) {
        continue;
      }
      for (JsonNode e : set.path("elem")) {
        JsonNode elem = e.has("elem") ? e.get("elem") : e;
        JsonNode concat = elem.path("val").path("concat");
        if (!concat.isArray() || concat.size() < 2) {
          continue;
        }
        String addr = concat.get(0).asText();
        String proto = protocolName(concat.get(1));
        Integer port =
            concat.size() > 2 && concat.get(2).canConvertToInt() ? concat.get(2).asInt() : null;
        long packets = elem.path("counter").path("packets").asLong(1);
        out.add(new Denied(addr, proto, port, packets));
      }
    }
    return out;
  }

  private static String protocolName(JsonNode n) {
    if (n.isNumber()) {
      switch (n.asInt()) {
        case 1:
          return "icmp";
        case 6:
          return "tcp";
        case 17:
          return "udp";
        default:
          return Integer.toString(n.asInt());
      }
    }
    return n.asText();
  }

  private void emit(Observation o) {
    try {
      listener.observed(o);
    } catch (RuntimeException e) {
      LOG.warnf("local-sandbox sensor: the listener failed on %s: %s", o.kind(), e.toString());
    }
  }
}
