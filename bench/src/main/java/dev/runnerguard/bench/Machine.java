package dev.runnerguard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the report says about the machine, and the machine-wide CPU use of a phase. */
final class Machine {
  private Machine() {}

  /** CPU model, cores, memory, JDK and OS in one Markdown line. */
  static String describe() {
    return "CPU "
        + cpuModel()
        + ", "
        + Runtime.getRuntime().availableProcessors()
        + " cores, "
        + memory()
        + " RAM, JDK "
        + System.getProperty("java.runtime.version")
        + " ("
        + System.getProperty("java.vm.name")
        + "), "
        + System.getProperty("os.name")
        + " "
        + System.getProperty("os.version");
  }

  static String cpuModel() {
    for (String line : lines("/proc/cpuinfo")) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return "unknown";
  }

  static String memory() {
    for (String line : lines("/proc/meminfo")) {
      if (line.startsWith("MemTotal:")) {
        long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
        return String.format("%.1f GiB", kb / 1024.0 / 1024.0);
      }
    }
    return "unknown";
  }

  /** {busy, total} jiffies of all CPUs since boot; zeros where /proc/stat is missing. */
  static long[] cpuTicks() {
    long[] f = cpuFields();
    long total = java.util.Arrays.stream(f).sum();
    return new long[] {total - f[3] - f[4], total}; // idle and iowait are not busy
  }

  /**
   * {steal, total} jiffies of all CPUs since boot: steal is time the hypervisor ran something else
   * while a virtual CPU of this machine wanted to run; zeros where /proc/stat is missing.
   */
  static long[] stealTicks() {
    long[] f = cpuFields();
    return new long[] {f[7], java.util.Arrays.stream(f).sum()};
  }

  /**
   * The first eight counters of /proc/stat's {@code cpu} line (user, nice, system, idle, iowait,
   * irq, softirq, steal), zero where missing.
   */
  private static long[] cpuFields() {
    long[] fields = new long[8];
    for (String line : lines("/proc/stat")) {
      if (line.startsWith("cpu ")) {
        String[] f = line.trim().split("\\s+");
        for (int i = 1; i < f.length && i <= 8; i++) {
          fields[i - 1] = Long.parseLong(f[i]);
        }
        break;
      }
    }
    return fields;
  }

  /** "CPU steal ... %" between two {@link #stealTicks()} samples, for the machine line. */
  static String stealNote(long[] before, long[] after) {
    long total = after[1] - before[1];
    if (total <= 0) {
      return "CPU steal unknown";
    }
    return String.format(
        "CPU steal during the measurements %.1f %% (time the hypervisor gave this machine's"
            + " virtual CPUs to others)",
        100.0 * (after[0] - before[0]) / total);
  }

  /** Percent of all CPUs busy between two {@link #cpuTicks()} samples; NaN if unknown. */
  static double busyPercent(long[] before, long[] after) {
    long total = after[1] - before[1];
    return total <= 0 ? Double.NaN : 100.0 * (after[0] - before[0]) / total;
  }

  /**
   * What code was measured: "code as of {@code <short commit>}", plus "with uncommitted changes"
   * when tracked files differ from it; "code of an unknown commit" where git cannot tell.
   */
  static String codeVersion(Path repo) {
    String commit = git(repo, "rev-parse", "--short", "HEAD");
    if (commit == null || commit.isBlank()) {
      return "code of an unknown commit";
    }
    String changes = git(repo, "status", "--porcelain", "--untracked-files=no");
    return "code as of "
        + commit.trim()
        + (changes == null || changes.isBlank() ? "" : ", with uncommitted changes");
  }

  private static String git(Path repo, String... args) {
    List<String> command = new java.util.ArrayList<>(List.of("git", "-C", repo.toString()));
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return process.waitFor() == 0 ? out : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static List<String> lines(String file) {
    try {
      return Files.readAllLines(Path.of(file));
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }
}
