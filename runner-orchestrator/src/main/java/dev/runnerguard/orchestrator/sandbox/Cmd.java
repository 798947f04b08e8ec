package dev.runnerguard.orchestrator.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs host tools (ip, nft, mount, ...) with a timeout. Never given a secret: arguments and stdin
 * of these commands may appear in exception messages.
 */
final class Cmd {

  /** The outcome of one command. */
  record Result(int exit, String out, String err) {
    boolean ok() {
      return exit == 0;
    }

    String errOrOut() {
      String e = err.isBlank() ? out : err;
      e = e.strip();
      return e.length() > 400 ? e.substring(0, 400) + "..." : e;
    }
  }

  /** A command that could not run or failed. */
  static final class CmdException extends Exception {
    final boolean missingBinary;
    final boolean timedOut;
    final Result result;

    CmdException(String message, boolean missingBinary, boolean timedOut, Result result) {
      super(message);
      this.missingBinary = missingBinary;
      this.timedOut = timedOut;
      this.result = result;
    }
  }

  private static final ExecutorService READERS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "sandbox-cmd-io");
            t.setDaemon(true);
            return t;
          });

  private static final List<String> SEARCH =
      List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");

  private Cmd() {}

  /** Finds a binary on PATH and the usual sbin directories, or null. */
  static Path which(String name) {
    Path cached = FOUND.get(name);
    if (cached != null && Files.isExecutable(cached)) {
      return cached;
    }
    Path p = search(name);
    if (p != null) {
      FOUND.put(name, p);
    }
    return p;
  }

  private static final Map<String, Path> FOUND = new java.util.concurrent.ConcurrentHashMap<>();

  private static Path search(String name) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(":")));
    }
    dirs.addAll(SEARCH);
    for (String d : dirs) {
      if (d.isEmpty()) {
        continue;
      }
      Path p = Path.of(d, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  static Result run(List<String> argv, String stdin, Duration timeout) throws CmdException {
    return run(argv, stdin, timeout, null);
  }

  static Result run(List<String> argv, String stdin, Duration timeout, Map<String, String> env)
      throws CmdException {
    ProcessBuilder pb = new ProcessBuilder(argv);
    if (env != null) {
      pb.environment().putAll(env);
    }
    pb.environment().put("LC_ALL", "C");
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new CmdException(
          argv.get(0) + " could not be started: " + e.getMessage(), true, false, null);
    }
    CompletableFuture<String> out = readAsync(p.getInputStream());
    CompletableFuture<String> err = readAsync(p.getErrorStream());
    try (OutputStream os = p.getOutputStream()) {
      if (stdin != null) {
        os.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // the command may not read stdin; its exit code tells
    }
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new CmdException(
            String.join(" ", argv) + " timed out after " + timeout.toMillis() + " ms",
            false,
            true,
            null);
      }
      Result r =
          new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
      return r;
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new CmdException(String.join(" ", argv) + " interrupted", false, true, null);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new CmdException(String.join(" ", argv) + " output unreadable", false, true, null);
    }
  }

  /** Runs and fails unless the exit code is 0. */
  static Result check(List<String> argv, String stdin, Duration timeout) throws CmdException {
    Result r = run(argv, stdin, timeout);
    if (!r.ok()) {
      throw new CmdException(
          String.join(" ", argv) + " failed (exit " + r.exit() + "): " + r.errOrOut(),
          false,
          false,
          r);
    }
    return r;
  }

  private static CompletableFuture<String> readAsync(InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            return "";
          }
        },
        READERS);
  }
}
