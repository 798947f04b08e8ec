package dev.runnerguard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * CPU time per process role between two snapshots, from {@code /proc/<pid>/stat} (user + system
 * clock ticks, the same unit as {@link Machine#cpuTicks()}). A classifier names the role of each
 * process (or null for processes that are not of interest); a process that exited between the
 * snapshots is not counted, except through its parent's reaped-children time when the classifier
 * asks for it ({@link Role#withChildren}, e.g. the PostgreSQL postmaster for its backends).
 */
final class ProcessCpu {

  /** How a process counts: its role, and whether its reaped children's time counts too. */
  record Role(String name, boolean withChildren) {}

  /** One process as {@code /proc} shows it. */
  record Proc(long pid, long ppid, String comm, String cmdline) {}

  /** {pid -> role name, own ticks, reaped-children ticks} at one moment. */
  static final class Snapshot {
    final Map<Long, String> role = new HashMap<>();
    final Map<Long, Long> own = new HashMap<>();
    final Map<Long, Long> children = new HashMap<>();
    final long[] machine = Machine.cpuTicks();
  }

  private ProcessCpu() {}

  /**
   * One {@code /proc/<pid>/stat} or {@code /proc/<pid>/task/<tid>/stat}: the command name and the
   * fields after it, so that {@code fields[0]} is the state, {@code [1]} the parent pid, {@code
   * [11]}/{@code [12]} user/system ticks and {@code [13]}/{@code [14]} those of reaped children.
   */
  record Stat(String comm, String[] fields) {
    /** User + system clock ticks. */
    long ticks() {
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** Reaped children's user + system clock ticks. */
    long childTicks() {
      return Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
    }
  }

  /** Reads a stat file (the comm may hold spaces and parentheses: it ends at the last ')'). */
  static Stat readStat(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.ISO_8859_1);
    int close = text.lastIndexOf(')');
    return new Stat(
        text.substring(text.indexOf('(') + 1, close), text.substring(close + 2).split(" "));
  }

  /** Every process in {@code /proc} (those that vanish while being read are skipped). */
  static Map<Long, Proc> processes() {
    Map<Long, Proc> out = new LinkedHashMap<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path d : dirs) {
        try {
          Stat stat = readStat(d.resolve("stat"));
          String cmd =
              new String(Files.readAllBytes(d.resolve("cmdline")), StandardCharsets.ISO_8859_1)
                  .replace('\0', ' ')
                  .trim();
          long pid = Long.parseLong(d.getFileName().toString());
          out.put(pid, new Proc(pid, Long.parseLong(stat.fields()[1]), stat.comm(), cmd));
        } catch (IOException | RuntimeException gone) {
          // exited meanwhile
        }
      }
    } catch (IOException e) {
      // no /proc: nothing to report
    }
    return out;
  }

  /** The CPU ticks of the processes the classifier names, now. */
  static Snapshot snapshot(Function<Map<Long, Proc>, Map<Long, Role>> classifier) {
    Snapshot s = new Snapshot();
    Map<Long, Role> roles = classifier.apply(processes());
    for (Map.Entry<Long, Role> e : roles.entrySet()) {
      long[] t = ticks(e.getKey());
      if (t == null) {
        continue;
      }
      s.role.put(e.getKey(), e.getValue().name());
      s.own.put(e.getKey(), t[0]);
      if (e.getValue().withChildren()) {
        s.children.put(e.getKey(), t[1]);
      }
    }
    return s;
  }

  /**
   * Percent of one core per role between two snapshots (100 = one core busy the whole time), in the
   * order the roles first appear, plus {@code "other"}: the rest of the machine's busy time (other
   * processes on the machine).
   */
  static Map<String, Double> percentOfCore(Snapshot before, Snapshot after) {
    Map<String, Long> ticks = new LinkedHashMap<>();
    for (Map.Entry<Long, String> e : after.role.entrySet()) {
      long pid = e.getKey();
      long delta = after.own.get(pid) - before.own.getOrDefault(pid, 0L);
      if (after.children.containsKey(pid)) {
        delta += after.children.get(pid) - before.children.getOrDefault(pid, 0L);
      }
      ticks.merge(e.getValue(), Math.max(0, delta), Long::sum);
    }
    long busy = after.machine[0] - before.machine[0];
    long total = after.machine[1] - before.machine[1];
    int cores = Runtime.getRuntime().availableProcessors();
    Map<String, Double> out = new LinkedHashMap<>();
    if (total <= 0) {
      return out;
    }
    // machine ticks add up all cores: wall ticks = total / cores
    double wall = (double) total / cores;
    long ours = 0;
    for (Map.Entry<String, Long> e : ticks.entrySet()) {
      out.put(e.getKey(), 100.0 * e.getValue() / wall);
      ours += e.getValue();
    }
    out.put("other", 100.0 * Math.max(0, busy - ours) / wall);
    return out;
  }

  /** {user + system, reaped children's user + system} clock ticks of a process, or null. */
  private static long[] ticks(long pid) {
    try {
      Stat stat = readStat(Path.of("/proc", Long.toString(pid), "stat"));
      return new long[] {stat.ticks(), stat.childTicks()};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
