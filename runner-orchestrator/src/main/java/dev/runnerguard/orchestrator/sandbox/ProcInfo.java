package dev.runnerguard.orchestrator.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One process as seen from the host's /proc (never its environment: that may hold the JIT config).
 *
 * @param pid host pid
 * @param ppid host parent pid
 * @param uid real uid
 * @param state process state letter (R, S, D, T, ...)
 * @param name comm
 * @param argv the command line
 */
record ProcInfo(long pid, long ppid, int uid, String state, String name, List<String> argv) {

  /** The command line joined with spaces (comm in brackets when it has no argv). */
  String commandLine() {
    return argv.isEmpty() ? "[" + name + "]" : String.join(" ", argv);
  }

  static ProcInfo read(long pid) {
    Path dir = Path.of("/proc", Long.toString(pid));
    try {
      long ppid = -1;
      int uid = -1;
      String state = "?";
      String name = "?";
      for (String line : Files.readAllLines(dir.resolve("status"), StandardCharsets.UTF_8)) {
        if (line.startsWith("PPid:")) {
          ppid = Long.parseLong(line.substring(5).trim());
        } else if (line.startsWith("Uid:")) {
          uid = Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
        } else if (line.startsWith("State:")) {
          state = line.substring(6).trim().split("\\s+")[0];
        } else if (line.startsWith("Name:")) {
          name = line.substring(5).trim();
        }
      }
      byte[] raw = Files.readAllBytes(dir.resolve("cmdline"));
      List<String> argv = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < raw.length; i++) {
        if (raw[i] == 0) {
          argv.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
          start = i + 1;
        }
      }
      if (start < raw.length) {
        argv.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
      }
      return new ProcInfo(pid, ppid, uid, state, name, List.copyOf(argv));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
