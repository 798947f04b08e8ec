package dev.runnerguard.orchestrator.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One runner's cgroups on cgroup v1: a directory {@code <parent>/<name>} in each available
 * controller among cpu, cpuacct, memory, pids and freezer. The freezer cgroup is the authority on
 * which processes belong to the runner.
 */
final class CgroupV1 {
  static final List<String> CONTROLLERS = List.of("freezer", "cpu", "cpuacct", "memory", "pids");

  private final Path root;
  private final String parent;

  CgroupV1(Path root, String parent) {
    this.root = root;
    this.parent = parent;
  }

  /** Controller name to its mount point, for the controllers mounted as v1 hierarchies. */
  Map<String, Path> available() {
    Map<String, Path> out = new LinkedHashMap<>();
    for (String c : CONTROLLERS) {
      Path p = root.resolve(c);
      if (Files.isRegularFile(p.resolve("cgroup.procs")) && Files.isDirectory(p)) {
        out.put(c, p);
      }
    }
    return out;
  }

  boolean hasFreezer() {
    return available().containsKey("freezer");
  }

  /** Distinct cgroup directories of a runner (co-mounted controllers share one). */
  List<Path> dirs(String name) {
    Set<Path> out = new LinkedHashSet<>();
    for (Path mount : available().values()) {
      Path d = mount.resolve(parent).resolve(name);
      try {
        out.add(d.toRealPath().getParent().resolve(name));
      } catch (IOException e) {
        out.add(d);
      }
    }
    return new ArrayList<>(out);
  }

  Path dir(String controller, String name) {
    return root.resolve(controller).resolve(parent).resolve(name);
  }

  boolean exists(String name) {
    for (Path d : dirs(name)) {
      if (Files.isDirectory(d)) {
        return true;
      }
    }
    return false;
  }

  /** Runner names that have a cgroup under the parent, in any controller. */
  Set<String> names() {
    Set<String> out = new LinkedHashSet<>();
    for (Path mount : available().values()) {
      Path p = mount.resolve(parent);
      if (!Files.isDirectory(p)) {
        continue;
      }
      try (Stream<Path> s = Files.list(p)) {
        s.filter(Files::isDirectory).forEach(d -> out.add(d.getFileName().toString()));
      } catch (IOException e) {
        // listing raced with a removal
      }
    }
    return out;
  }

  /** Creates the runner's cgroups and sets the limits (null = unlimited). */
  void create(String name, Integer cpuMillis, Integer memoryMb, int pidsMax) throws IOException {
    for (Map.Entry<String, Path> e : available().entrySet()) {
      Path d = e.getValue().resolve(parent).resolve(name);
      Files.createDirectories(d);
    }
    Map<String, Path> av = available();
    if (cpuMillis != null && av.containsKey("cpu")) {
      Path d = dir("cpu", name);
      write(d.resolve("cpu.cfs_period_us"), "100000");
      write(d.resolve("cpu.cfs_quota_us"), Long.toString(Math.max(1000L, cpuMillis * 100L)));
    }
    if (memoryMb != null && av.containsKey("memory")) {
      write(
          dir("memory", name).resolve("memory.limit_in_bytes"),
          Long.toString(memoryMb * 1024L * 1024L));
    }
    if (av.containsKey("pids")) {
      write(dir("pids", name).resolve("pids.max"), Integer.toString(pidsMax));
    }
  }

  /** The cgroup.procs files a launcher writes its pid into. */
  List<Path> procsFiles(String name) {
    List<Path> out = new ArrayList<>();
    for (Path d : dirs(name)) {
      out.add(d.resolve("cgroup.procs"));
    }
    return out;
  }

  /** Pids in the runner's cgroup (freezer, else the first available controller). */
  List<Long> pids(String name) {
    Path d = hasFreezer() ? dir("freezer", name) : dirs(name).stream().findFirst().orElse(null);
    List<Long> out = new ArrayList<>();
    if (d == null) {
      return out;
    }
    try {
      for (String line : Files.readAllLines(d.resolve("cgroup.procs"))) {
        if (!line.isBlank()) {
          out.add(Long.parseLong(line.trim()));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // gone
    }
    return out;
  }

  /** cpuacct.usage in nanoseconds, or -1. */
  long cpuUsageNanos(String name) {
    try {
      return Long.parseLong(Files.readString(dir("cpuacct", name).resolve("cpuacct.usage")).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  /** freezer.state (THAWED, FREEZING, FROZEN) or null when there is no freezer cgroup. */
  String freezerState(String name) {
    try {
      return Files.readString(dir("freezer", name).resolve("freezer.state")).trim();
    } catch (IOException e) {
      return null;
    }
  }

  void setFreezer(String name, String state) throws IOException {
    write(dir("freezer", name).resolve("freezer.state"), state);
  }

  /** Removes the runner's cgroup directories that are empty; answers whether all are gone. */
  boolean remove(String name) {
    boolean all = true;
    for (Path d : dirs(name)) {
      try {
        Files.deleteIfExists(d);
      } catch (IOException e) {
        all = false;
      }
    }
    return all;
  }

  private static void write(Path file, String value) throws IOException {
    try {
      Files.write(file, value.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchFileException e) {
      throw new IOException("cgroup file missing: " + file, e);
    }
  }
}
