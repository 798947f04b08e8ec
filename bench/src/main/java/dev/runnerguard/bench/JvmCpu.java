package dev.runnerguard.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of one JVM and of its JIT compiler threads, from {@code /proc/<pid>/stat} and {@code
 * /proc/<pid>/task/<tid>/stat} (user + system clock ticks). The compiler threads are named {@code
 * C1 CompilerThreadN} / {@code C2 CompilerThreadN} by HotSpot (the kernel keeps the first 15
 * characters). A JVM whose compiler threads are busy is still warming up: its measured speed is not
 * the steady state's.
 */
final class JvmCpu {
  /** Clock ticks per second of {@code /proc}'s times (USER_HZ, 100 on Linux). */
  static final double TICKS_PER_SECOND = 100;

  /** {process ticks, compiler-thread ticks} at one moment, and when. */
  record Sample(long processTicks, long compilerTicks, long nanos) {
    /** Percent of one core the process used since {@code before}. */
    double processPercent(Sample before) {
      return percent(processTicks - before.processTicks, before);
    }

    /** Percent of one core the JIT compiler threads used since {@code before}. */
    double compilerPercent(Sample before) {
      return percent(compilerTicks - before.compilerTicks, before);
    }

    private double percent(long ticks, Sample before) {
      double seconds = (nanos - before.nanos) / 1e9;
      return seconds <= 0 || ticks < 0 ? Double.NaN : 100.0 * ticks / TICKS_PER_SECOND / seconds;
    }
  }

  private JvmCpu() {}

  /** The JVM's CPU ticks now; zeros when it is gone or there is no {@code /proc}. */
  static Sample sample(long pid) {
    long process = 0;
    long compiler = 0;
    if (pid > 0) {
      Path proc = Path.of("/proc", Long.toString(pid));
      try {
        process = ProcessCpu.readStat(proc.resolve("stat")).ticks();
      } catch (IOException | RuntimeException gone) {
        // exited: zeros
      }
      try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task"))) {
        for (Path task : tasks) {
          try {
            ProcessCpu.Stat stat = ProcessCpu.readStat(task.resolve("stat"));
            if (isCompilerThread(stat.comm())) {
              compiler += stat.ticks();
            }
          } catch (IOException | RuntimeException gone) {
            // the thread ended meanwhile
          }
        }
      } catch (IOException | RuntimeException gone) {
        // exited meanwhile: what was read so far
      }
    }
    return new Sample(process, compiler, System.nanoTime());
  }

  /** HotSpot's JIT compiler threads, as the kernel names them ({@code C2 CompilerThre}). */
  static boolean isCompilerThread(String comm) {
    return comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre");
  }
}
